"""The SMS pages (``urlpatterns``, in the ``observation`` namespace) and webhooks
(``api_urlpatterns``, API.md "SMS reports"); observation/urls.py adds both."""

from django.urls import path

from . import api, views

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

api_urlpatterns = [
    path("sms/twilio/", api.TwilioWebhook.as_view(), name="sms-twilio"),
    path("sms/inbound/", api.InboundWebhook.as_view(), name="sms-inbound"),
]
