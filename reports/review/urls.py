"""Review pages (``reports:``): the queue, a visit's page, the verdicts on a visit or finding."""

from django.urls import path

from reports.review import views

urlpatterns = [
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
]
