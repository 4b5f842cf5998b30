"""Personas, as in healthchecks' alice/bob/charlie: every permission test is a short story.

``mission`` has one region with one district and two stations; ``coordinator``, ``analyst``
and ``press`` are members of it; ``observer`` and ``other_team_observer`` are observers of it
in different teams; ``outsider`` is a logged-in user of no mission; ``other_mission_coordinator``
coordinates ``other_mission``.
"""

import json

import pytest
import requests
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    ObserverFactory,
    StationFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def mission(db):
    return MissionFactory(name="Test mission")


@pytest.fixture
def other_mission(db):
    return MissionFactory(name="Other mission")


@pytest.fixture
def station(mission):
    return StationFactory(district__parent__mission=mission, registered_voters=1000)


@pytest.fixture
def other_station(station):
    """A second station of the same mission, in the same district."""
    return StationFactory(
        mission=station.mission,
        district=station.district,
        region=station.region,
        area=station.district,
        registered_voters=500,
    )


@pytest.fixture
def foreign_station(other_mission):
    return StationFactory(district__parent__mission=other_mission)


def _member(mission, role, username):
    return MembershipFactory(user=UserFactory(username=username), mission=mission, role=role).user


@pytest.fixture
def coordinator(mission):
    return _member(mission, "COORDINATOR", "coordinator")


@pytest.fixture
def analyst(mission):
    return _member(mission, "ANALYST", "analyst")


@pytest.fixture
def press(mission):
    return _member(mission, "PRESS", "press")


@pytest.fixture
def team(mission):
    return TeamFactory(mission=mission, code="T001")


@pytest.fixture
def observer(mission, team):
    """The Observer profile (``observer.user`` logs in)."""
    return ObserverFactory(
        mission=mission, team=team, user=UserFactory(username="observer"), full_name="Olga Observer"
    )


@pytest.fixture
def other_team_observer(mission):
    return ObserverFactory(
        mission=mission,
        team=TeamFactory(mission=mission, code="T002"),
        user=UserFactory(username="other_observer"),
    )


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def other_mission_coordinator(other_mission):
    return _member(other_mission, "COORDINATOR", "other_coordinator")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it with the user's token."""
    client = APIClient()

    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def device_key(db):
    """``device_key(observer)``: a new device token for the observer (only its hash is kept),
    as a coordinator's QR page issues it; returns the key."""
    from django.utils import timezone

    from observation.devices.services import observer_token_issue

    def issue(observer):
        return observer_token_issue(observer=observer, actor=None, now=timezone.now())

    return issue


@pytest.fixture(scope="session", autouse=True)
def chart_renderer_session():
    """One warm Chromium for chart rendering serves the whole test session (the renderer keeps
    it per process); it is closed at the end. Nothing starts it unless a test renders."""
    yield
    from reports.charts.rendering import renderer_stop

    renderer_stop()


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_of_this_run():
    """The test cache is the Redis at TEST_REDIS_URL under a prefix of this run's own
    (config/settings/test.py): its keys go when the run ends."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """LocaleMiddleware leaves the last request's language active in the thread: every test
    starts in English, so a service's messages do not depend on the test that ran before."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def twilio_api(monkeypatch):
    """Twilio's REST API as the ``twilio`` library reaches it (requests), answering ``status``."""
    calls = []

    class Api:
        status = 201

    def send(session, prepared, **kwargs):
        calls.append(prepared)
        response = requests.Response()
        response.status_code = Api.status
        body = (
            {"sid": "SM" + "f" * 32, "status": "queued"}
            if Api.status < 400
            else {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
        )
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    Api.calls = calls
    return Api
