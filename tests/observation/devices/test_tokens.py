"""Device tokens: a coordinator issues an observer's token (for the QR code) and revokes it."""

import pytest

from missions.models import AuditEvent
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


def test_the_same_token_every_time_until_revoked(api, coordinator, observer):
    client = api.as_user(coordinator)

    first = client.post(url(observer)).json()["token"]
    second = client.post(url(observer)).json()["token"]

    assert first == second
    assert AuditEvent.objects.filter(action="observer.token_issue").count() == 2


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
