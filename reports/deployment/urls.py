"""The "Plan and actual" page (``reports:deployment``)."""

from django.urls import path

from reports.deployment import views

urlpatterns = [
    path("missions/<int:mission_id>/deployment/", views.deployment_page, name="deployment"),
]
