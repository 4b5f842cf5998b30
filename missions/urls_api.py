from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_audit, api_setup

router = SimpleRouter()
router.register("missions", api.MissionViewSet, basename="mission")

urlpatterns = [
    path("missions/<int:mission_id>/stations/", api.StationList.as_view(), name="station-list"),
    path("missions/<int:mission_id>/observers/", api.ObserverList.as_view(), name="observer-list"),
    path(
        "missions/<int:mission_id>/stations/import/",
        api_setup.StationImport.as_view(),
        name="station-import",
    ),
    path(
        "missions/<int:mission_id>/observers/import/",
        api_setup.ObserverImport.as_view(),
        name="observer-import",
    ),
    path("missions/<int:mission_id>/members/", api_setup.MemberList.as_view(), name="member-list"),
    path(
        "missions/<int:mission_id>/members/<int:membership_id>/",
        api_setup.MemberDetail.as_view(),
        name="member-detail",
    ),
    path(
        "missions/<int:mission_id>/audit/", api_audit.MissionAudit.as_view(), name="mission-audit"
    ),
    path("missions/<int:mission_id>/samples/", api_setup.SampleList.as_view(), name="sample-list"),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/",
        api_setup.SampleDetail.as_view(),
        name="sample-detail",
    ),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/stations/",
        api_setup.SampleStationList.as_view(),
        name="sample-stations",
    ),
    *router.urls,
]
