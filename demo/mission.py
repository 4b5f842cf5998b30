"""The demo mission: shaped like Kazakhstan's presidential election of 20 November 2022.

20 regions (17 oblasts and the cities Astana, Almaty and Shymkent) with districts, about
10,000 polling stations whose registered voters sum to about 11.95 million, 641 observers from
35 states and 10 organisations in teams of two, and a day of visits from before 07:00 to after
20:00 whose turnout follows the figures the election commission announced (23.4% at 10:00,
51.2% at 14:00, 67.9% at 18:00, 69.4% final). Everything is written with bulk inserts.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from missions.models import (
    Mission,
)
from observation.checklists import checklists_create_default
from reports.aggregates.reconcile import aggregates_reconcile
from reports.models import OfficialTurnout

from .answers import CANDIDATES
from .people import _seed_people, _seed_stations
from .quick_count import _seed_candidates, _seed_quick_count_sample
from .spec import (
    DEMO_LOGINS,
    DEMO_MISSION_NAME,
    DEMO_PASSWORD,
    OFFICIAL_TURNOUT,
    SIZES,
    Size,
    official_turnout_pct,
)
from .visits import _seed_deployments, _seed_visits

__all__ = [
    "CANDIDATES",
    "DEMO_LOGINS",
    "DEMO_MISSION_NAME",
    "DEMO_PASSWORD",
    "SIZES",
    "demo_mission_create",
    "demo_mission_exists",
    "official_turnout_pct",
    "seed_demo",
]


def demo_mission_exists() -> bool:
    return Mission.objects.filter(name=DEMO_MISSION_NAME).exists()


def demo_mission_create(*, name: str, spec: Size, rng: random.Random):
    """A mission shaped like the demo's, with its checklists, stations and people (no visits):
    the start of ``seed_demo`` and of the benchmarks' missions."""
    mission = Mission.objects.create(
        name=name,
        country="KZ",
        election_date=dt.date(2022, 11, 20),
        timezone="Asia/Almaty",
        polls_open=dt.time(7, 0),
        polls_close=dt.time(20, 0),
        registered_voters=spec.registered,
        # Kazakh and Russian (the host country's), English, and the other official languages
        # of the United Nations its observers read.
        languages=["en", "ru", "kk", "ar", "fr", "es", "zh-hans"],
    )
    checklists_create_default(mission=mission)
    stations = _seed_stations(mission, spec, rng)
    teams, observers = _seed_people(mission, spec, rng)
    return mission, stations, teams, observers


@transaction.atomic
def seed_demo(*, size: str = "full", seed: int = 20221120) -> Mission:
    """Create the demo mission with its people, stations and a day of visits."""
    spec = SIZES[size]
    rng = random.Random(seed)
    mission, stations, teams, observers = demo_mission_create(
        name=DEMO_MISSION_NAME, spec=spec, rng=rng
    )
    _seed_candidates(mission)
    routes = _seed_visits(mission, stations, teams, observers, rng)
    _seed_deployments(mission, stations, routes, seed)
    _seed_official_turnout(mission)
    _seed_quick_count_sample(mission, stations, teams, observers, spec, seed)
    # The visits above were bulk-inserted past the aggregation pipeline (and marked aggregated,
    # since this transaction builds the aggregates): build them.
    aggregates_reconcile(mission=mission, now=timezone.now())
    return mission


def _seed_official_turnout(mission):
    """The commission's announcements (the 0% at opening is the curve's origin, not one)."""

    OfficialTurnout.objects.bulk_create(
        [
            OfficialTurnout(
                mission=mission,
                at=dt.datetime.combine(mission.election_date, dt.time(hour), tzinfo=mission.tzinfo),
                percent=Decimal(str(percent)),
                created_at=timezone.now(),
            )
            for hour, percent in OFFICIAL_TURNOUT
            if percent > 0
        ]
    )
