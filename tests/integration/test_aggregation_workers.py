"""Real Celery workers on a real Redis keep the aggregates equal to a recompute from scratch.

Observers POST their visits to the API and a coordinator rejects and deletes through the visit
services (each calls ``visits_changed`` in its transaction); this process's Celery app
publishes to Redis, and a ``celery -A config worker`` subprocess on the test database does
the updates.
"""

import datetime as dt
import random
import time
import uuid

import pytest
import redis
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from observation.models import Checklist, Visit
from observation.services import visit_delete, visit_review
from reports.aggregates import selectors
from reports.aggregates.reconcile import aggregates_reconcile
from reports.aggregates.sql import visits_unaggregated
from reports.aggregates.tasks import reconcile_all_missions
from reports.models import PendingStation
from tests.missions.factories import (
    DistrictFactory,
    MembershipFactory,
    MissionFactory,
    ObserverFactory,
    RegionFactory,
    StationFactory,
)
from tests.observation.factories import VOTING_ANSWERS
from tests.reports.brokers import real_broker
from tests.reports.factories import local
from tests.reports.reference import assert_matches_recompute

from .workers import RedisServer, Worker, require_services, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue():
    return f"obs-agg-it-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def field():
    """A mission of 3 regions x 2 districts x 4 stations, and four observers."""
    mission = MissionFactory(name="Integration mission")
    stations = []
    for r in range(3):
        region = RegionFactory(mission=mission, code=f"R{r}", name=f"Region {r}")
        for d in range(2):
            district = DistrictFactory(parent=region, code=f"R{r}-D{d}", name=f"District {r}.{d}")
            stations += [
                StationFactory(district=district, registered_voters=400 + 100 * s) for s in range(4)
            ]
    observers = [ObserverFactory(mission=mission) for _ in range(4)]
    return mission, stations, observers


class Field:
    """An election day through the real doors: observers POST /api/v1/visits/, a coordinator
    rejects and deletes through the visit services. Remembers what was accepted."""

    def __init__(self, mission, stations, observers, seed):
        self.mission, self.stations = mission, stations
        self.rng = random.Random(seed)
        self.checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
        self.clients = []
        for observer in observers:
            client = APIClient()
            token, _ = Token.objects.get_or_create(user=observer.user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            self.clients.append(client)
        self.coordinator = MembershipFactory(mission=mission, role="COORDINATOR").user
        self.visits = []
        self.slowest = 0.0

    def submit(self):
        rng = self.rng
        station = rng.choice(self.stations)
        minute = rng.randint(7 * 60, 19 * 60 + 30)
        arrived = local(minute // 60, minute % 60)
        body = {
            "client_uuid": str(uuid.uuid4()),
            "station": station.pk,
            "checklist": self.checklist.pk,
            "arrived_at": arrived.isoformat(),
            "departed_at": (arrived + dt.timedelta(minutes=25)).isoformat(),
            "voters_so_far": rng.choice([None, rng.randint(0, station.registered_voters)]),
            "assessment": rng.choice([None, "VERY_GOOD", "GOOD", "GOOD", "BAD", "VERY_BAD"]),
            "answers": VOTING_ANSWERS,
            "findings": [
                {
                    "category": rng.choice(["SECRECY", "FAMILY_VOTING", "PROCEDURE"]),
                    "severity": rng.choice(["MINOR", "SERIOUS", "CRITICAL"]),
                    "description": "Seen at the station.",
                }
                for _ in range(rng.choice([0, 0, 0, 1, 2]))
            ],
        }
        started = time.monotonic()
        response = rng.choice(self.clients).post("/api/v1/visits/", body, format="json")
        self.slowest = max(self.slowest, time.monotonic() - started)
        assert response.status_code == 201, response.content
        visit = Visit.objects.get(pk=response.json()["id"])
        self.visits.append(visit)
        return visit

    def reject(self):
        visit = self.rng.choice(self.visits)
        visit_review(
            visit=visit,
            actor=self.coordinator,
            status="REJECTED",
            reason="Wrong station.",
            now=timezone.now(),
        )

    def delete(self):
        visit = self.visits.pop(self.rng.randrange(len(self.visits)))
        visit_delete(visit=visit, actor=self.coordinator, reason="A duplicate.", now=timezone.now())

    def day(self, count):
        for _ in range(count):
            roll = self.rng.random()
            if len(self.visits) > 10 and roll < 0.06:
                self.reject()
            elif len(self.visits) > 10 and roll < 0.1:
                self.delete()
            else:
                self.submit()


def everything_aggregated(redis_url=None, queue=None):
    if PendingStation.objects.exists() or visits_unaggregated().exists():
        return False
    if queue:
        return redis.Redis.from_url(redis_url).llen(queue) == 0
    return True


def assert_equal_to_a_rebuild(mission):
    assert_matches_recompute(mission)
    rebuild = aggregates_reconcile(mission=mission, now=timezone.now())
    assert rebuild.changed_cells == 0, "a rebuild from the raw tables changed cells"


def test_a_few_hundred_visits_through_real_workers_equal_a_recompute(test_redis, queue, field):
    mission, stations, observers = field
    worker = Worker(broker_url=test_redis, queue=queue).start()
    try:
        with real_broker(test_redis, queue=queue):
            day = Field(mission, stations, observers, seed=1)
            started = time.monotonic()
            day.day(240)
            print(f"240 changes committed in {time.monotonic() - started:.1f} s")

        wait_for(
            lambda: everything_aggregated(test_redis, queue),
            timeout=60,
            message=f"workers did not catch up\n{worker.output()}",
        )
        print(f"caught up {time.monotonic() - started:.1f} s after the first commit")
    finally:
        worker.stop()

    assert Visit.objects.filter(mission=mission).count() == len(day.visits) > 180
    assert_equal_to_a_rebuild(mission)


def test_a_worker_killed_mid_batch_loses_nothing(test_redis, queue, field):
    mission, stations, observers = field
    # Unacknowledged tasks come back after 2 s (production: 300 s), so the restarted worker
    # takes over what the killed one held.
    options = {"extra_env": {"CELERY_VISIBILITY_TIMEOUT": "2"}}
    worker = Worker(broker_url=test_redis, queue=queue, **options).start()
    client = redis.Redis.from_url(test_redis)
    try:
        with real_broker(test_redis, queue=queue):
            day = Field(mission, stations, observers, seed=2)
            day.day(90)
            worker.kill()
            killed_at = time.monotonic()
            held = client.hlen("unacked") + client.llen(queue)
            day.day(60)  # posting goes on while no worker runs
        assert held > 0 or PendingStation.objects.exists()
        time.sleep(max(0.0, killed_at + 2.5 - time.monotonic()))
        worker = Worker(broker_url=test_redis, queue=queue, **options).start()

        wait_for(
            lambda: everything_aggregated(test_redis, queue),
            timeout=60,
            message=f"the restarted worker did not catch up\n{worker.output()}",
        )
    finally:
        worker.stop()

    assert_equal_to_a_rebuild(mission)


def test_with_redis_stopped_every_visit_is_accepted_and_counted(queue, field):
    require_services()
    mission, stations, observers = field
    server = RedisServer().start()
    # Beat's reconcile takes pending work older than a second (production: 30 s).
    worker = Worker(
        broker_url=server.url, queue=queue, extra_env={"RECONCILE_GRACE_SECONDS": "1"}
    ).start()
    try:
        with real_broker(server.url, queue=queue):
            # Stations apart, so no later update happens to cover the outage's changes.
            day = Field(mission, stations[8:], observers, seed=3)
            down = Field(mission, stations[:8], observers, seed=4)
            aggregates_reconcile(mission=mission, now=timezone.now())
            for _ in range(40):
                day.submit()
            wait_for(
                lambda: everything_aggregated(server.url, queue),
                timeout=60,
                message=f"the worker did not start\n{worker.output()}",
            )
            server.stop()
            for _ in range(40):
                down.submit()  # 201: committed; the enqueue fails and is logged
            # The outage's changes are noted, waiting for the next update or reconciliation.
            assert set(PendingStation.objects.values_list("station_id", flat=True)) == {
                v.station_id for v in down.visits
            }
            assert not Visit.objects.filter(pk__in=[v.pk for v in down.visits], aggregated=True)
            server.start()
            for _ in range(40):
                day.submit()

            # Updates are coalesced per mission: the first one after the broker's return takes
            # every pending station of the mission, the outage's included.
            wait_for(
                lambda: worker.supervise() and everything_aggregated(server.url, queue),
                timeout=60,
                message=f"the worker did not come back\n{worker.output()}",
            )
            assert not visits_unaggregated().filter(pk__in=[v.pk for v in down.visits])
            time.sleep(1.5)
            reconcile_all_missions.delay()  # what beat sends every minute
            wait_for(
                lambda: worker.supervise() and everything_aggregated(server.url, queue),
                timeout=60,
                message=f"reconciliation did not run\n{worker.output()}",
            )
    finally:
        worker.stop()
        server.stop()

    # A dead broker costs a request a refused connection and one retry, not a timeout.
    assert down.slowest < max(day.slowest, 1.0) + 2, (down.slowest, day.slowest)
    print(f"worker restarted {worker.restarts} time(s) after the broker came back")
    (national,) = selectors.coverage_rows(mission=mission, level="national")
    assert national["visits"] == 120  # every accepted visit counted
    assert_equal_to_a_rebuild(mission)
