"""Coordinators' SMS pages, in the ``observation`` namespace (observation/urls.py adds them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("missions/<int:mission_id>/sms/", views.sms_log, name="sms-log"),
    path("missions/<int:mission_id>/sms/settings/", views.sms_settings, name="sms-settings"),
    path("missions/<int:mission_id>/sms/simulator/", views.sms_simulator, name="sms-simulator"),
    path(
        "missions/<int:mission_id>/sms/cheatsheet/<int:checklist_id>/",
        views.sms_cheatsheet,
        name="sms-cheatsheet",
    ),
]
