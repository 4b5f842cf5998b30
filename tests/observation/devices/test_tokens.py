"""Device tokens: a coordinator issues an observer's token (for the QR code) and revokes it; the
token acts as that observer in that mission only, and only its hash is stored."""

import hashlib

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from missions.models import AuditEvent
from observation.models import DeviceToken, Visit
from tests.missions.factories import MembershipFactory, ObserverFactory, StationFactory
from tests.world import persona_user

pytestmark = pytest.mark.django_db


def url(observer):
    return f"/api/v1/observers/{observer.pk}/token/"


def test_a_coordinator_gets_the_observers_token_and_it_logs_the_phone_in(
    api, coordinator, observer
):
    response = api.as_user(coordinator).post(url(observer))

    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/visits/").status_code == 200
    assert api.get(f"/api/v1/missions/{observer.mission_id}/checklists/").status_code == 200


def test_a_new_token_each_time_and_the_old_one_stops_working(api, coordinator, observer):
    client = api.as_user(coordinator)

    first = client.post(url(observer)).json()["token"]
    second = client.post(url(observer)).json()["token"]

    assert first != second
    assert AuditEvent.objects.filter(action="observer.token_issue").count() == 2
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert phone.get("/api/v1/visits/").status_code == 401
    phone.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert phone.get("/api/v1/visits/").status_code == 200


def test_only_a_hash_of_the_token_is_stored(api, coordinator, observer):
    key = api.as_user(coordinator).post(url(observer)).json()["token"]

    stored = DeviceToken.objects.get(observer=observer)
    row = DeviceToken.objects.filter(pk=stored.pk).values().get()
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(row)
    assert not Token.objects.filter(key=key).exists()


def test_a_revoked_token_no_longer_works(api, coordinator, observer):
    client = api.as_user(coordinator)
    old = client.post(url(observer)).json()["token"]

    response = client.delete(url(observer))

    assert response.status_code == 204
    assert AuditEvent.objects.filter(action="observer.token_revoke").count() == 1
    new = client.post(url(observer)).json()["token"]
    assert new != old
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/v1/visits/").status_code == 401


def test_the_audit_never_records_the_token(api, coordinator, observer):
    token = api.as_user(coordinator).post(url(observer)).json()["token"]

    event = AuditEvent.objects.get(action="observer.token_issue")
    assert token not in str(event.after) and event.actor == coordinator


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_analyst_gets_a_403(api, analyst, observer, method):
    assert getattr(api.as_user(analyst), method)(url(observer)).status_code == 403


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize(
    "persona",
    ["observer", "other_team_observer", "press", "outsider", "other_mission_coordinator"],
)
def test_everyone_else_gets_a_404(api, observer, persona, request, method):
    user = persona_user(request, persona)

    response = getattr(api.as_user(user), method)(url(observer))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="observer.token").exists()


def test_an_unknown_observer_is_a_404(api, coordinator):
    assert api.as_user(coordinator).post("/api/v1/observers/999999/token/").status_code == 404


# --- F1: a device token is not the account ----------------------------------------------------


@pytest.fixture
def shared_account(observer, other_mission):
    """``observer``'s account also coordinates ``other_mission`` (and observes in it)."""
    MembershipFactory(user=observer.user, mission=other_mission, role="COORDINATOR")
    return observer.user


def test_a_device_token_cannot_read_another_mission_of_the_account(
    api, coordinator, observer, other_mission, shared_account
):
    key = api.as_user(coordinator).post(url(observer)).json()["token"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    missions = phone.get("/api/v1/missions/").json()["results"]
    observers = phone.get(f"/api/v1/missions/{other_mission.pk}/observers/")
    audit = phone.get(f"/api/v1/missions/{other_mission.pk}/audit/")
    # Last: the export runs outside a request transaction, and in a test's transaction DRF's
    # rollback-on-error would then spoil the requests after it.
    exports = phone.get(f"/api/v1/missions/{other_mission.pk}/export/visits.csv")

    assert [m["id"] for m in missions] == [observer.mission_id]
    assert (exports.status_code, observers.status_code, audit.status_code) == (404, 404, 404)


def test_the_accounts_login_token_still_reads_both(api, observer, other_mission, shared_account):
    token = api.post(
        "/api/v1/auth/token/", {"username": "observer", "password": "pass-word-123"}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.get(f"/api/v1/missions/{other_mission.pk}/observers/").status_code == 200


def test_a_device_token_does_not_report_as_the_accounts_other_observer(
    api, coordinator, observer, other_mission, visit_body
):
    ObserverFactory(mission=other_mission, user=observer.user)
    elsewhere = StationFactory(district__parent__mission=other_mission)
    key = api.as_user(coordinator).post(url(observer)).json()["token"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = phone.post("/api/v1/visits/", visit_body(station=elsewhere.pk), format="json")

    assert response.status_code in (400, 403)
    assert not Visit.objects.filter(mission=other_mission).exists()


def test_a_device_token_never_acts_as_staff(api, coordinator, observer, other_mission):
    observer.user.is_superuser = observer.user.is_staff = True
    observer.user.save(update_fields=["is_superuser", "is_staff"])
    key = api.as_user(coordinator).post(url(observer)).json()["token"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert phone.get(f"/api/v1/missions/{other_mission.pk}/").status_code == 404
