"""Briefing pages (``reports:``) and the briefings API (``api_urlpatterns``)."""

from django.urls import path, re_path

from reports.briefings import api, views

urlpatterns = [
    path("briefings/", views.briefing_list, name="briefings"),
    path("briefings/publish/", views.briefing_editor, name="briefing-publish"),
    path("briefings/preview/", views.briefing_summary_preview, name="briefing-preview"),
    path("briefings/<int:briefing_id>/", views.briefing_page, name="briefing"),
    path("briefings/<int:briefing_id>/present/", views.briefing_present, name="briefing-present"),
    path("briefings/<int:briefing_id>/slides.pdf", views.briefing_slides, name="briefing-slides"),
    path(
        "embed/briefings/<int:briefing_id>/<slug:name>/",
        views.briefing_embed,
        name="briefing-embed",
    ),
    path(
        "briefings/<int:briefing_id>/withdraw/",
        views.briefing_withdraw_page,
        name="briefing-withdraw",
    ),
]

api_urlpatterns = [
    path(
        "missions/<int:mission_id>/briefings/",
        api.MissionBriefings.as_view(),
        name="mission-briefings",
    ),
    path("briefings/", api.VisibleBriefings.as_view(), name="briefing-list"),
    path(
        "briefings/<int:briefing_id>/",
        api.BriefingDetail.as_view(),
        name="briefing-detail",
    ),
    path(
        "briefings/<int:briefing_id>/withdraw/",
        api.BriefingWithdraw.as_view(),
        name="briefing-withdraw",
    ),
    re_path(
        r"^briefings/(?P<briefing_id>[0-9]+)/charts/(?P<name>[a-z0-9_]+)\.(?P<fmt>png|svg|pdf|csv)$",
        api.BriefingChartFile.as_view(),
        name="briefing-chart-file",
    ),
    path(
        "briefings/<int:briefing_id>/pack/",
        api.BriefingPack.as_view(),
        name="briefing-pack",
    ),
    path(
        "briefings/<int:briefing_id>/pack.pdf",
        api.BriefingPackFile.as_view(),
        name="briefing-pack-file",
    ),
]
