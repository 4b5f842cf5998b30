from django.db import transaction
from django.urls import path, re_path

from . import api, api_charts, api_exports, briefing_api

urlpatterns = [
    path(
        "missions/<int:mission_id>/briefings/",
        briefing_api.MissionBriefings.as_view(),
        name="mission-briefings",
    ),
    path("briefings/", briefing_api.VisibleBriefings.as_view(), name="briefing-list"),
    path(
        "briefings/<int:briefing_id>/",
        briefing_api.BriefingDetail.as_view(),
        name="briefing-detail",
    ),
    path(
        "briefings/<int:briefing_id>/withdraw/",
        briefing_api.BriefingWithdraw.as_view(),
        name="briefing-withdraw",
    ),
    re_path(
        r"^briefings/(?P<briefing_id>[0-9]+)/charts/(?P<name>[a-z0-9_]+)\.(?P<fmt>png|svg|pdf|csv)$",
        briefing_api.BriefingChartFile.as_view(),
        name="briefing-chart-file",
    ),
    path(
        "briefings/<int:briefing_id>/pack/",
        briefing_api.BriefingPack.as_view(),
        name="briefing-pack",
    ),
    path(
        "briefings/<int:briefing_id>/pack.pdf",
        briefing_api.BriefingPackFile.as_view(),
        name="briefing-pack-file",
    ),
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
        "missions/<int:mission_id>/charts/",
        api_charts.MissionCharts.as_view(),
        name="mission-charts",
    ),
    re_path(
        r"^missions/(?P<mission_id>[0-9]+)/charts/(?P<name>[a-z_]+)\.csv$",
        api_charts.MissionChartCsv.as_view(),
        name="mission-chart-csv",
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
    re_path(
        r"^missions/(?P<mission_id>\d+)/export/(?P<dataset>visits|findings|stations|observers)"
        r"\.(?P<fmt>csv|xlsx)$",
        # Read-only, and a long download must not hold a transaction open.
        transaction.non_atomic_requests(api_exports.ExportView.as_view()),
        name="mission-export",
    ),
]
