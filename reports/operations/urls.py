"""The operations room's URLs: ``urlpatterns`` are its pages (namespace ``operations``),
``api_urlpatterns`` its part of /api/v1/ (included by config/urls.py)."""

from django.urls import path

from . import api, views

app_name = "operations"

urlpatterns = [
    path("missions/<int:mission_id>/reporting/", views.reporting_page, name="reporting"),
    path(
        "missions/<int:mission_id>/reporting/calls.csv",
        views.reporting_calls_csv,
        name="reporting-calls",
    ),
    path(
        "missions/<int:mission_id>/reporting/contact/",
        views.reporting_contact,
        name="reporting-contact",
    ),
    path(
        "missions/<int:mission_id>/reporting/settings/",
        views.reporting_settings,
        name="reporting-settings",
    ),
    path("missions/<int:mission_id>/incidents/", views.incidents_page, name="incidents"),
    path(
        "missions/<int:mission_id>/incidents/acknowledge/",
        views.incidents_acknowledge,
        name="incidents-acknowledge",
    ),
    path(
        "missions/<int:mission_id>/incidents/<int:finding_id>/",
        views.incident_page,
        name="incident",
    ),
    path(
        "missions/<int:mission_id>/incidents/<int:finding_id>/triage/",
        views.incident_triage,
        name="incident-triage",
    ),
    path("missions/<int:mission_id>/messages/", views.messages_page, name="messages"),
    path("missions/<int:mission_id>/wall/", views.wall_page, name="wall"),
    path("missions/<int:mission_id>/wall/data/", views.wall_data, name="wall-data"),
    path(
        "missions/<int:mission_id>/dashboard/live/",
        views.dashboard_live,
        name="dashboard-live",
    ),
    path("observe/<int:mission_id>/messages/", views.observe_messages, name="observe-messages"),
]

api_urlpatterns = [
    path(
        "missions/<int:mission_id>/reporting-status/",
        api.ReportingStatus.as_view(),
        name="reporting-status",
    ),
    path(
        "missions/<int:mission_id>/reporting-status/contacts/",
        api.ReportingContacts.as_view(),
        name="reporting-contacts",
    ),
    path("missions/<int:mission_id>/incidents/", api.IncidentList.as_view(), name="incident-list"),
    path("findings/<int:pk>/triage/", api.IncidentTriageView.as_view(), name="finding-triage"),
    path(
        "missions/<int:mission_id>/messages/",
        api.MissionMessages.as_view(),
        name="mission-messages",
    ),
    path("messages/", api.MyMessages.as_view(), name="message-list"),
    path("messages/<int:pk>/read/", api.MessageRead.as_view(), name="message-read"),
    path("missions/<int:mission_id>/live/", api.Live.as_view(), name="mission-live"),
]
