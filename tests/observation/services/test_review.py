"""Coordinators verify or reject visits and confirm or dismiss findings; every change is a
revision, an audit event, and a nudge to the aggregates."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from missions.models import AuditEvent
from observation import services
from observation.models import Finding, FindingRevision, Visit, VisitRevision
from reports.aggregates.selectors import coverage_rows, finding_rows
from reports.models import PendingStation

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(api, observer, visit_body):
    """A visit as the observer's phone sends it (with one finding), through the API."""
    response = api.as_user(observer.user).post("/api/v1/visits/", visit_body(), format="json")
    assert response.status_code == 201
    return Visit.objects.get(pk=response.json()["id"])


def review(api, user, visit, **body):
    return api.as_user(user).post(f"/api/v1/visits/{visit.pk}/review/", body, format="json")


def test_a_coordinator_verifies_a_visit(api, coordinator, submitted):
    response = review(api, coordinator, submitted, status="VERIFIED")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "VERIFIED"
    submitted.refresh_from_db()
    assert submitted.status == "VERIFIED"
    revision = VisitRevision.objects.get(visit=submitted, number=2)
    assert revision.author == coordinator and revision.data["status"] == "VERIFIED"
    event = AuditEvent.objects.get(action="visit.review")
    assert (event.actor, event.before["status"], event.after["status"]) == (
        coordinator,
        "SUBMITTED",
        "VERIFIED",
    )


def test_rejecting_needs_a_reason(api, coordinator, submitted):
    response = review(api, coordinator, submitted, status="REJECTED")

    assert response.status_code == 400
    assert "reason" in response.json()
    submitted.refresh_from_db()
    assert submitted.status == "SUBMITTED"
    assert not VisitRevision.objects.filter(visit=submitted, number=2).exists()


def test_a_coordinator_rejects_a_visit_with_a_reason(api, coordinator, observer, submitted):
    response = review(api, coordinator, submitted, status="REJECTED", reason="Wrong station")

    assert response.json()["status"] == "REJECTED"
    assert response.json()["review_reason"] == "Wrong station"
    seen_by_observer = api.as_user(observer.user).get(f"/api/v1/visits/{submitted.pk}/").json()
    assert seen_by_observer["review_reason"] == "Wrong station"
    assert AuditEvent.objects.get(action="visit.review").reason == "Wrong station"


def test_a_second_review_is_revision_three(api, coordinator, submitted):
    review(api, coordinator, submitted, status="VERIFIED")

    review(api, coordinator, submitted, status="REJECTED", reason="Duplicate")

    assert list(submitted.revisions.order_by("number").values_list("number", "data__status")) == [
        (1, "SUBMITTED"),
        (2, "VERIFIED"),
        (3, "REJECTED"),
    ]


def test_an_unknown_status_is_a_400(api, coordinator, submitted):
    response = review(api, coordinator, submitted, status="FLAGGED")

    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("persona", ["analyst", "observer"])
def test_those_who_can_read_the_visit_but_not_review_get_a_403(api, persona, request, submitted):
    user = request.getfixturevalue(persona)

    response = review(api, getattr(user, "user", user), submitted, status="VERIFIED")

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "SUBMITTED"


@pytest.mark.parametrize(
    "persona", ["other_team_observer", "press", "outsider", "other_mission_coordinator"]
)
def test_everyone_else_gets_a_404(api, persona, request, submitted):
    user = request.getfixturevalue(persona)

    response = review(api, getattr(user, "user", user), submitted, status="VERIFIED")

    assert response.status_code == 404


def test_the_review_service_refuses_a_non_coordinator(analyst, submitted):
    with pytest.raises(PermissionDenied):
        services.visit_review(
            visit=submitted, actor=analyst, status="VERIFIED", reason="", now=timezone.now()
        )


def test_the_review_service_needs_a_reason_to_reject(coordinator, submitted):
    with pytest.raises(ValidationError):
        services.visit_review(
            visit=submitted, actor=coordinator, status="REJECTED", reason=" ", now=timezone.now()
        )


# --- Findings ---------------------------------------------------------------------------


def review_finding(api, user, finding, **body):
    return api.as_user(user).post(f"/api/v1/findings/{finding.pk}/review/", body, format="json")


def test_a_coordinator_confirms_a_finding(api, coordinator, submitted):
    finding = submitted.findings.get()

    response = review_finding(api, coordinator, finding, status="CONFIRMED", reason="Seen twice")

    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == "CONFIRMED"
    finding.refresh_from_db()
    assert (finding.review_status, finding.review_reason) == ("CONFIRMED", "Seen twice")
    revision = FindingRevision.objects.get(finding=finding, number=2)
    assert revision.data["review_status"] == "CONFIRMED" and revision.author == coordinator
    assert AuditEvent.objects.filter(action="finding.review", object_id=str(finding.pk)).exists()


def test_a_coordinator_dismisses_a_finding(api, coordinator, submitted):
    finding = submitted.findings.get()

    response = review_finding(api, coordinator, finding, status="DISMISSED")

    assert response.json()["review_status"] == "DISMISSED"


def test_a_finding_status_must_be_confirmed_or_dismissed(api, coordinator, submitted):
    response = review_finding(api, coordinator, submitted.findings.get(), status="PENDING")

    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["analyst", "observer"])
def test_a_finding_review_by_a_reader_is_a_403(api, persona, request, submitted):
    user = request.getfixturevalue(persona)

    response = review_finding(
        api, getattr(user, "user", user), submitted.findings.get(), status="CONFIRMED"
    )

    assert response.status_code == 403
    assert Finding.objects.get().review_status == "PENDING"


@pytest.mark.parametrize(
    "persona", ["other_team_observer", "press", "outsider", "other_mission_coordinator"]
)
def test_a_finding_review_by_anyone_else_is_a_404(api, persona, request, submitted):
    user = request.getfixturevalue(persona)

    response = review_finding(
        api, getattr(user, "user", user), submitted.findings.get(), status="CONFIRMED"
    )

    assert response.status_code == 404


# --- Deletion ---------------------------------------------------------------------------


def test_a_coordinator_deletes_a_visit_and_the_audit_keeps_it(api, coordinator, submitted):
    response = api.as_user(coordinator).delete(f"/api/v1/visits/{submitted.pk}/?reason=Test+report")

    assert response.status_code == 204
    assert not Visit.objects.filter(pk=submitted.pk).exists()
    event = AuditEvent.objects.get(action="visit.delete")
    assert event.reason == "Test report" and event.before["voters_so_far"] == 312


@pytest.mark.parametrize("persona", ["analyst", "observer"])
def test_readers_cannot_delete(api, persona, request, submitted):
    user = request.getfixturevalue(persona)

    response = api.as_user(getattr(user, "user", user)).delete(f"/api/v1/visits/{submitted.pk}/")

    assert response.status_code == 403
    assert Visit.objects.filter(pk=submitted.pk).exists()


# --- The aggregates hear of every change ------------------------------------------------


def test_a_submission_marks_its_station_for_the_aggregates_in_the_same_transaction(
    api, observer, station, visit_body
):
    api.as_user(observer.user).post("/api/v1/visits/", visit_body(), format="json")

    assert PendingStation.objects.filter(station_id=station.pk).exists()


def test_after_commit_the_aggregates_include_the_visit(
    api, observer, mission, visit_body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.as_user(observer.user).post("/api/v1/visits/", visit_body(), format="json")

    national = coverage_rows(mission=mission, level="national")[0]
    assert national["visits"] == 1 and national["stations_visited"] == 1
    assert sum(r["count"] for r in finding_rows(mission=mission, level="national")) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda api, c, v: review(api, c, v, status="REJECTED", reason="Duplicate"),
        lambda api, c, v: api.as_user(c).delete(f"/api/v1/visits/{v.pk}/"),
    ],
    ids=["reject", "delete"],
)
def test_rejecting_or_deleting_takes_the_visit_out_of_the_aggregates(
    api, coordinator, observer, mission, visit_body, change, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(observer.user).post("/api/v1/visits/", visit_body(), format="json")
    visit = Visit.objects.get(pk=response.json()["id"])
    assert coverage_rows(mission=mission, level="national")[0]["visits"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        change(api, coordinator, visit)

    assert coverage_rows(mission=mission, level="national")[0]["visits"] == 0
