from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .checklists import views as checklist_views
from .devices import views as device_views
from .observe import views as observe_views
from .sms import urls as sms_urls

# The pages (namespace "observation").
app_name = "observation"

urlpatterns = [
    # The observer's phone pages.
    path("observe/", observe_views.observe_index, name="observe-index"),
    path("observe/sw.js", observe_views.observe_service_worker, name="observe-sw"),
    path("observe/device/", observe_views.observe_device, name="observe-device"),
    path("observe/<int:mission_id>/", observe_views.observe_stations, name="observe-stations"),
    path("observe/<int:mission_id>/visit/", observe_views.observe_visit, name="observe-visit"),
    path("observe/<int:mission_id>/visits/", observe_views.observe_visits, name="observe-visits"),
    # Coordinators: checklists and device QR codes.
    path(
        "missions/<int:mission_id>/checklists/",
        checklist_views.checklist_list,
        name="checklist-list",
    ),
    path(
        "missions/<int:mission_id>/checklists/<int:checklist_id>/",
        checklist_views.checklist_detail,
        name="checklist-detail",
    ),
    path(
        "missions/<int:mission_id>/checklists/<int:checklist_id>/edit/",
        checklist_views.checklist_edit,
        name="checklist-edit",
    ),
    path(
        "missions/<int:mission_id>/observers/",
        device_views.observer_list,
        name="observer-list",
    ),
    path(
        "missions/<int:mission_id>/observers/<int:observer_id>/qr/",
        device_views.observer_qr,
        name="observer-qr",
    ),
    # Coordinators: reports by SMS.
    *sms_urls.urlpatterns,
]

router = SimpleRouter()
router.register("visits", api.VisitViewSet, basename="visit")

# The API's (in /api/v1/, no namespace).
api_urlpatterns = [
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
    *sms_urls.api_urlpatterns,
]
