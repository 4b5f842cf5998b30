from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("missions", api.MissionViewSet, basename="mission")

urlpatterns = [
    path("missions/<int:mission_id>/stations/", api.StationList.as_view(), name="station-list"),
    path("missions/<int:mission_id>/observers/", api.ObserverList.as_view(), name="observer-list"),
    *router.urls,
]
