"""Official turnout page (``reports:``) and the aggregates API (``api_urlpatterns``)."""

from django.urls import path

from reports.aggregates import api, views

urlpatterns = [
    path(
        "missions/<int:mission_id>/official-turnout/",
        views.official_turnout,
        name="official-turnout",
    ),
]

api_urlpatterns = [
    path(
        "missions/<int:mission_id>/aggregates/turnout/",
        api.TurnoutAggregate.as_view(),
        name="aggregates-turnout",
    ),
    path(
        "missions/<int:mission_id>/aggregates/assessments/",
        api.AssessmentAggregate.as_view(),
        name="aggregates-assessments",
    ),
    path(
        "missions/<int:mission_id>/aggregates/findings/",
        api.FindingAggregate.as_view(),
        name="aggregates-findings",
    ),
    path(
        "missions/<int:mission_id>/aggregates/coverage/",
        api.CoverageAggregate.as_view(),
        name="aggregates-coverage",
    ),
    path(
        "missions/<int:mission_id>/official-turnout/",
        api.OfficialTurnoutList.as_view(),
        name="official-turnout-list",
    ),
    path(
        "missions/<int:mission_id>/official-turnout/<int:pk>/",
        api.OfficialTurnoutDetail.as_view(),
        name="official-turnout-detail",
    ),
]
