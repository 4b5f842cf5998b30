from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views
from .audit import api as audit_api
from .audit import views as audit_views
from .setup import api as setup_api
from .setup import samples as setup_samples
from .setup import views as setup_views

# The pages (namespace "missions").
app_name = "missions"

urlpatterns = [
    path("", views.home, name="home"),
    path("missions/new/", views.mission_new, name="mission-new"),
    path("missions/<int:mission_id>/members/", setup_views.members_page, name="members"),
    path("missions/<int:mission_id>/import/<str:kind>/", setup_views.import_page, name="import"),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/",
        setup_views.import_job_page,
        name="import-job",
    ),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/confirm/",
        setup_views.import_job_confirm,
        name="import-job-confirm",
    ),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/status/",
        setup_views.import_job_status,
        name="import-job-status",
    ),
    path("missions/<int:mission_id>/teams/", setup_views.teams_page, name="teams"),
    path("missions/<int:mission_id>/samples/", setup_samples.samples_page, name="samples"),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/",
        setup_samples.sample_page,
        name="sample",
    ),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/stations.csv",
        setup_samples.sample_csv,
        name="sample-csv",
    ),
    path("missions/<int:mission_id>/downloads/", setup_views.downloads_page, name="downloads"),
    path("missions/<int:mission_id>/audit/", audit_views.audit_page, name="audit"),
]

router = SimpleRouter()
router.register("missions", api.MissionViewSet, basename="mission")

# The API's (in /api/v1/, no namespace).
api_urlpatterns = [
    path("missions/<int:mission_id>/stations/", api.StationList.as_view(), name="station-list"),
    path("missions/<int:mission_id>/observers/", api.ObserverList.as_view(), name="observer-list"),
    path(
        "missions/<int:mission_id>/stations/import/",
        setup_api.StationImport.as_view(),
        name="station-import",
    ),
    path(
        "missions/<int:mission_id>/observers/import/",
        setup_api.ObserverImport.as_view(),
        name="observer-import",
    ),
    path(
        "missions/<int:mission_id>/imports/<int:job_id>/",
        setup_api.ImportJobDetail.as_view(),
        name="import-job-detail",
    ),
    path("missions/<int:mission_id>/members/", setup_api.MemberList.as_view(), name="member-list"),
    path(
        "missions/<int:mission_id>/members/<int:membership_id>/",
        setup_api.MemberDetail.as_view(),
        name="member-detail",
    ),
    path(
        "missions/<int:mission_id>/audit/", audit_api.MissionAudit.as_view(), name="mission-audit"
    ),
    path("missions/<int:mission_id>/samples/", setup_api.SampleList.as_view(), name="sample-list"),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/",
        setup_api.SampleDetail.as_view(),
        name="sample-detail",
    ),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/use/",
        setup_api.SampleUse.as_view(),
        name="sample-use",
    ),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/stations/",
        setup_api.SampleStationList.as_view(),
        name="sample-stations",
    ),
    *router.urls,
]
