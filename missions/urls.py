from django.urls import path

from . import views, views_audit, views_setup

app_name = "missions"

urlpatterns = [
    path("", views.home, name="home"),
    path("missions/<int:mission_id>/members/", views_setup.members_page, name="members"),
    path("missions/<int:mission_id>/import/<str:kind>/", views_setup.import_page, name="import"),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/",
        views_setup.import_job_page,
        name="import-job",
    ),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/confirm/",
        views_setup.import_job_confirm,
        name="import-job-confirm",
    ),
    path(
        "missions/<int:mission_id>/import/jobs/<int:job_id>/status/",
        views_setup.import_job_status,
        name="import-job-status",
    ),
    path("missions/<int:mission_id>/teams/", views_setup.teams_page, name="teams"),
    path("missions/<int:mission_id>/deployment/", views_setup.deployment_page, name="deployment"),
    path("missions/<int:mission_id>/samples/", views_setup.samples_page, name="samples"),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/",
        views_setup.sample_page,
        name="sample",
    ),
    path(
        "missions/<int:mission_id>/samples/<int:sample_id>/stations.csv",
        views_setup.sample_csv,
        name="sample-csv",
    ),
    path("missions/<int:mission_id>/downloads/", views_setup.downloads_page, name="downloads"),
    path("missions/<int:mission_id>/audit/", views_audit.audit_page, name="audit"),
]
