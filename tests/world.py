"""A small, complete world of two missions, built once per test module.

``build_world()`` makes ``mission`` with one of everything a URL can name (region, district,
station, team, observers of two teams, checklist, visit, finding, photo, membership) and
``other_mission`` with the same, plus one user per persona with an API token and a logged-in
session. The permission matrix and the API fuzzing run every request against it.

Use it through ``world_fixture()`` in a module::

    world = world_fixture()          # a module-scoped pytest fixture named "world"

The world is created inside a transaction that is rolled back after the module; each test
still runs in its own savepoint (ask for ``db``), so what one request changes is undone
before the next test.
"""

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image
from rest_framework.authtoken.models import Token

from missions.imports import import_job_create
from missions.models import ImportKind, Membership
from missions.sampling import sample_draw
from observation.models import Checklist, Finding, FindingPhoto, Visit
from reports.aggregates.services import official_turnout_create
from reports.briefings.services import briefing_publish
from reports.operations.services import message_send
from tests.missions.factories import (
    MembershipFactory,
    MissionFactory,
    ObserverFactory,
    StationFactory,
    TeamFactory,
    UserFactory,
)

PERSONAS = (
    "anonymous",
    "coordinator",
    "analyst",
    "observer",
    "other_team_observer",
    "press",
    "outsider",
    "other_mission_coordinator",
)


@dataclass
class World:
    mission: object
    other_mission: object
    # The objects a URL of ``mission`` can name, and the other mission's equivalents.
    objects: dict = field(default_factory=dict)
    foreign: dict = field(default_factory=dict)
    # persona -> User (None for anonymous), API token key, session cookie value.
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)


# Personas with no staff view of the mission: its statistics pages answer them 404.
NOT_STAFF = [
    "press",
    "outsider",
    "other_mission_coordinator",
    "observer",
    "other_team_observer",
    "staff_user",
]


def persona_user(request, persona):
    """The persona's login: observers' fixtures are Observer profiles with a ``user``."""
    value = request.getfixturevalue(persona)
    return getattr(value, "user", value)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _mission_objects(mission, *, prefix: str) -> dict:
    """One of everything a URL of ``mission`` can name."""
    station = StationFactory(district__parent__mission=mission, registered_voters=1000)
    team = TeamFactory(mission=mission, code=f"{prefix}T1")
    other_team = TeamFactory(mission=mission, code=f"{prefix}T2")
    observer = ObserverFactory(
        mission=mission,
        team=team,
        user=UserFactory(username=f"{prefix}observer"),
        full_name=f"{prefix} Olga Observer",
    )
    other_team_observer = ObserverFactory(
        mission=mission,
        team=other_team,
        user=UserFactory(username=f"{prefix}other_team_observer"),
        full_name=f"{prefix} Otto Other",
    )
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    arrived = dt.datetime.combine(mission.election_date, dt.time(10, 5), tzinfo=mission.tzinfo)
    visit = Visit.objects.create(
        mission=mission,
        client_uuid=uuid.uuid4(),
        station=station,
        team=team,
        observer=observer,
        checklist=checklist,
        stage="VOTING",
        arrived_at=arrived,
        departed_at=arrived + dt.timedelta(minutes=30),
        voters_so_far=300,
        assessment="GOOD",
        answers={},
        notes="<script>alert('notes')</script>",
    )
    finding = Finding.objects.create(
        visit=visit, category="SECRECY", severity="SERIOUS", description="Open booths."
    )
    photo = FindingPhoto(finding=finding, content_type="image/png", size=0)
    content = png_bytes()
    photo.image.save("photo.png", ContentFile(content), save=False)
    photo.size = len(content)
    photo.save()
    coordinator = MembershipFactory(
        user=UserFactory(username=f"{prefix}coordinator"), mission=mission, role="COORDINATOR"
    )
    now = arrived + dt.timedelta(days=1)
    actor = coordinator.user
    sample = sample_draw(mission=mission, size=1, seed=7, actor=actor, now=now)
    import_job = import_job_create(
        mission=mission,
        kind=ImportKind.STATIONS,
        upload=SimpleUploadedFile(
            "stations.csv",
            b"code,name,region,district,registered_voters\nN1,New,Region,District,100\n",
        ),
        actor=actor,
        now=now,
    )
    official = official_turnout_create(
        mission=mission, actor=actor, area_code=None, at=arrived, percent=12, now=now
    )
    # Published a day after the election, no embargo, not public: the press reads it.
    briefing = briefing_publish(mission=mission, user=actor, now=now, title=f"{prefix}Briefing")
    # A notice to every observer of the mission.
    message = message_send(mission=mission, actor=actor, text=f"{prefix}Notice", now=now)
    return {
        "mission": mission,
        "region": station.region,
        "district": station.district,
        "area": station.region,
        "station": station,
        "team": team,
        "observer": observer,
        "other_team_observer": other_team_observer,
        "checklist": checklist,
        "visit": visit,
        "finding": finding,
        "photo": photo,
        "coordinator_membership": coordinator,
        "membership": coordinator,
        "sample": sample,
        "import_job": import_job,
        "official_turnout": official,
        "briefing": briefing,
        "message": message,
    }


def _session_cookie(user) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def build_world() -> World:
    mission = MissionFactory(name="Matrix mission")
    other_mission = MissionFactory(name="Other matrix mission")
    objects = _mission_objects(mission, prefix="")
    foreign = _mission_objects(other_mission, prefix="x_")

    def member(username, role):
        user = UserFactory(username=username)
        Membership.objects.create(user=user, mission=mission, role=role)
        return user

    users = {
        "anonymous": None,
        "coordinator": objects["coordinator_membership"].user,
        "analyst": member("analyst", "ANALYST"),
        "observer": objects["observer"].user,
        "other_team_observer": objects["other_team_observer"].user,
        "press": member("press", "PRESS"),
        "outsider": UserFactory(username="outsider"),
        "other_mission_coordinator": foreign["coordinator_membership"].user,
    }
    world = World(mission=mission, other_mission=other_mission, objects=objects, foreign=foreign)
    world.users = users
    for persona, user in users.items():
        if user is None:
            continue
        world.tokens[persona] = Token.objects.create(user=user).key
        world.sessions[persona] = _session_cookie(user)
    return world


def world_fixture():
    """A module-scoped ``world`` fixture: built once, rolled back after the module."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)

    return world
