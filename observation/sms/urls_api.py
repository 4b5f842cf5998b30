"""The SMS webhooks (API.md, "SMS reports"); observation/urls_api.py adds them."""

from django.urls import path

from . import api

urlpatterns = [
    path("sms/twilio/", api.TwilioWebhook.as_view(), name="sms-twilio"),
    path("sms/inbound/", api.InboundWebhook.as_view(), name="sms-inbound"),
]
