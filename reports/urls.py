from django.urls import path

from . import briefing_views, official_views, views

app_name = "reports"

urlpatterns = [
    path("missions/<int:mission_id>/dashboard/", views.dashboard_page, name="dashboard"),
    path("missions/<int:mission_id>/dashboard/feed/", views.dashboard_feed, name="dashboard-feed"),
    path("missions/<int:mission_id>/dashboard/map/", views.dashboard_map, name="dashboard-map"),
    path(
        "missions/<int:mission_id>/dashboard/outlines/",
        views.outlines_upload,
        name="outlines-upload",
    ),
    path("missions/<int:mission_id>/areas/<int:area_id>/", views.area_page, name="area"),
    path(
        "missions/<int:mission_id>/stations/<int:station_id>/", views.station_page, name="station"
    ),
    path("missions/<int:mission_id>/visits/<int:visit_id>/", views.visit_page, name="visit"),
    path(
        "missions/<int:mission_id>/visits/<int:visit_id>/review/",
        views.visit_review,
        name="visit-review",
    ),
    path(
        "missions/<int:mission_id>/findings/<int:finding_id>/review/",
        views.finding_review,
        name="finding-review",
    ),
    path("missions/<int:mission_id>/review/", views.review_queue, name="review"),
    path("briefings/", briefing_views.briefing_list, name="briefings"),
    path("briefings/publish/", briefing_views.briefing_publish_page, name="briefing-publish"),
    path("briefings/<int:briefing_id>/", briefing_views.briefing_page, name="briefing"),
    path(
        "briefings/<int:briefing_id>/withdraw/",
        briefing_views.briefing_withdraw_page,
        name="briefing-withdraw",
    ),
    path(
        "missions/<int:mission_id>/official-turnout/",
        official_views.official_turnout,
        name="official-turnout",
    ),
]
