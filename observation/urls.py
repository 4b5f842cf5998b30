from django.urls import path

from . import views_checklists, views_devices, views_observe
from .sms import urls as sms_urls

app_name = "observation"

urlpatterns = [
    # The observer's phone pages.
    path("observe/", views_observe.observe_index, name="observe-index"),
    path("observe/sw.js", views_observe.observe_service_worker, name="observe-sw"),
    path("observe/device/", views_observe.observe_device, name="observe-device"),
    path("observe/<int:mission_id>/", views_observe.observe_stations, name="observe-stations"),
    path("observe/<int:mission_id>/visit/", views_observe.observe_visit, name="observe-visit"),
    path("observe/<int:mission_id>/visits/", views_observe.observe_visits, name="observe-visits"),
    # Coordinators: checklists and device QR codes.
    path(
        "missions/<int:mission_id>/checklists/",
        views_checklists.checklist_list,
        name="checklist-list",
    ),
    path(
        "missions/<int:mission_id>/checklists/<int:checklist_id>/",
        views_checklists.checklist_detail,
        name="checklist-detail",
    ),
    path(
        "missions/<int:mission_id>/checklists/<int:checklist_id>/edit/",
        views_checklists.checklist_edit,
        name="checklist-edit",
    ),
    path(
        "missions/<int:mission_id>/observers/",
        views_devices.observer_list,
        name="observer-list",
    ),
    path(
        "missions/<int:mission_id>/observers/<int:observer_id>/qr/",
        views_devices.observer_qr,
        name="observer-qr",
    ),
    # Coordinators: reports by SMS.
    *sms_urls.urlpatterns,
]
