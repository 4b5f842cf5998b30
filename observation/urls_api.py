from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .sms import urls_api as sms_urls_api

router = SimpleRouter()
router.register("visits", api.VisitViewSet, basename="visit")

urlpatterns = [
    path(
        "missions/<int:mission_id>/checklists/",
        api.ChecklistList.as_view(),
        name="checklist-list",
    ),
    path("findings/<int:pk>/review/", api.FindingReview.as_view(), name="finding-review"),
    path("findings/<int:pk>/photos/", api.FindingPhotoUpload.as_view(), name="finding-photos"),
    path("photos/<int:pk>/", api.PhotoDownload.as_view(), name="photo-detail"),
    path("observers/<int:pk>/token/", api.ObserverToken.as_view(), name="observer-token"),
    *router.urls,
    *sms_urls_api.urlpatterns,
]
