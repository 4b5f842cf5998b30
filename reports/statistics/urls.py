"""Pages of the statistics (``statistics:`` names) and the estimates API (``api_urlpatterns``)."""

from django.urls import path

from reports.statistics import api, views

app_name = "statistics"
urlpatterns = [
    path("missions/<int:mission_id>/statement/", views.statement, name="statement"),
    path(
        "missions/<int:mission_id>/statement/statement.md",
        views.statement_download,
        {"fmt": "md"},
        name="statement-markdown",
    ),
    path(
        "missions/<int:mission_id>/statement/statement.pdf",
        views.statement_download,
        {"fmt": "pdf"},
        name="statement-pdf",
    ),
    path(
        "missions/<int:mission_id>/turnout-estimate/",
        views.turnout_estimate_page,
        name="turnout-estimate",
    ),
    path("missions/<int:mission_id>/quick-count/", views.quick_count_page, name="quick-count"),
    path("missions/<int:mission_id>/candidates/", views.candidates_page, name="candidates"),
    path("missions/<int:mission_id>/forensics/", views.forensics_page, name="forensics"),
]

api_urlpatterns = [
    path(
        "missions/<int:mission_id>/estimates/turnout/",
        api.TurnoutEstimateView.as_view(),
        name="estimate-turnout",
    ),
    path(
        "missions/<int:mission_id>/estimates/quick-count/",
        api.QuickCountView.as_view(),
        name="estimate-quick-count",
    ),
]
