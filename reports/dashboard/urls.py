"""Dashboard and drill-down pages (``reports:``) and the charts API."""

from django.urls import path, re_path

from reports.dashboard import api, views

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
]

api_urlpatterns = [
    path(
        "missions/<int:mission_id>/charts/",
        api.MissionCharts.as_view(),
        name="mission-charts",
    ),
    re_path(
        r"^missions/(?P<mission_id>[0-9]+)/charts/(?P<name>[a-z_]+)\.csv$",
        api.MissionChartCsv.as_view(),
        name="mission-chart-csv",
    ),
]
