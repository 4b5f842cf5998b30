import uuid

import pytest
from django.core.cache import cache

from observation.models import Checklist
from tests.missions.factories import ObserverFactory
from tests.observation.factories import VOTING_ANSWERS


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The checklist schema cache outlives a test's database rollback: start each test cold."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voting_checklist(mission):
    return Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)


@pytest.fixture
def teammate(observer):
    """A second observer in ``observer``'s team."""
    return ObserverFactory(mission=observer.mission, team=observer.team, full_name="Tom Teammate")


@pytest.fixture
def other_mission_observer(other_mission):
    return ObserverFactory(mission=other_mission)


@pytest.fixture
def visit_body(station, voting_checklist):
    """A valid VOTING visit body at ``station``; call it with overrides."""

    def make(**overrides):
        body = {
            "client_uuid": str(uuid.uuid4()),
            "station": station.pk,
            "checklist": voting_checklist.pk,
            "arrived_at": "2022-11-20T10:05:00+06:00",
            "departed_at": "2022-11-20T10:40:00+06:00",
            "voters_so_far": 312,
            "assessment": "GOOD",
            "answers": dict(VOTING_ANSWERS),
            "findings": [
                {"category": "SECRECY", "severity": "SERIOUS", "description": "Open booths."}
            ],
            "notes": "Calm.",
        }
        body.update(overrides)
        return body

    return make
