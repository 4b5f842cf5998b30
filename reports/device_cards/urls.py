"""The sheet of device QR cards (``reports:device-cards``)."""

from django.urls import path

from reports.device_cards import views

urlpatterns = [
    path("missions/<int:mission_id>/observers/qr-cards/", views.device_cards, name="device-cards"),
]
