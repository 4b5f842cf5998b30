"""The fault drill: phones keep posting visits to a real deployment while its parts fail.

Real processes on loopback, production settings: gunicorn (2 workers), a Celery worker and
beat, a redis-server and a PostgreSQL cluster that this test owns (initdb in a temporary
directory, the test database copied into it), so it can stop and start them without
disturbing anything else on the machine. Eight phones post visits as fast as the server
answers; a phone whose visit got no answer or a 5xx sends the same visit (same client_uuid)
again, as the offline queue does. Meanwhile a poller reads /healthz.

The faults, one after another: Redis stopped for 6 s, a gunicorn worker SIGKILLed, the Celery
worker SIGKILLed mid-batch and started 4 s later, PostgreSQL stopped for 3 s.

What must hold:
- nothing acknowledged is lost, nothing is stored twice;
- no 5xx while only Redis or only a worker is down, and none once PostgreSQL is back (the
  first request of each gunicorn worker included: CONN_HEALTH_CHECKS);
- /healthz always answers 200 or 503, in JSON;
- the Celery worker is back within 2 s of Redis;
- once the phones stop, the workers bring the aggregates up to date, and a rebuild from the
  raw tables changes nothing.

The figures are printed (``pytest -s``) and recorded in README.md ("When something fails").
"""

import datetime as dt
import re
import subprocess
import threading
import time
import uuid
import zoneinfo
from collections import Counter

import pytest
from rest_framework.authtoken.models import Token

from observation.models import Checklist
from tests.missions.factories import (
    DistrictFactory,
    MissionFactory,
    ObserverFactory,
    RegionFactory,
    StationFactory,
)
from tests.observation.conftest import VOTING_ANSWERS

from .faults import Log, PostgresCluster, WebServer, production_env, request
from .workers import CELERY, ROOT, RedisServer, Worker, database_url, require_services, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PHONES = 8
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


@pytest.fixture
def field():
    """A mission of 2 regions x 2 districts x 3 stations and eight observers with tokens."""
    mission = MissionFactory(name="Drill mission")
    stations = []
    for r in range(2):
        region = RegionFactory(mission=mission, code=f"R{r}")
        for d in range(2):
            district = DistrictFactory(parent=region, code=f"R{r}D{d}")
            stations += [StationFactory(district=district) for _ in range(3)]
    tokens = [
        Token.objects.create(user=ObserverFactory(mission=mission).user).key for _ in range(PHONES)
    ]
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    return {
        "mission": mission.pk,
        "stations": [s.pk for s in stations],
        "tokens": tokens,
        "checklist": checklist.pk,
    }


class Phone(threading.Thread):
    """Posts visits one after another; resends a visit until it is acknowledged."""

    def __init__(self, n, *, port, token, field, log, stop):
        super().__init__(daemon=True)
        self.n, self.port, self.token, self.field = n, port, token, field
        self.log, self.stop_event = log, stop
        self.acknowledged: dict[str, int] = {}  # client_uuid -> visit id
        self.refused: list = []  # 4xx answers: none expected
        self.pending = None
        self.sent = 0

    def visit(self):
        minute = 8 * 60 + (self.sent * 7 + self.n * 13) % (11 * 60)
        arrived = dt.datetime(2022, 11, 20, minute // 60, minute % 60, tzinfo=ALMATY)
        stations = self.field["stations"]
        self.sent += 1
        return {
            "client_uuid": str(uuid.uuid4()),
            "station": stations[(self.n + self.sent) % len(stations)],
            "checklist": self.field["checklist"],
            "arrived_at": arrived.isoformat(),
            "departed_at": (arrived + dt.timedelta(minutes=5)).isoformat(),
            "voters_so_far": 10 + self.sent,
            "assessment": "GOOD" if self.sent % 3 else "BAD",
            "answers": VOTING_ANSWERS,
        }

    def post(self, body):
        phase = self.log.phase
        started = time.monotonic()
        try:
            status, _kind, answer = request(
                self.port, "POST", "/api/v1/visits/", body, token=self.token
            )
        except OSError as exc:  # no answer: the phone tries again later
            self.log.add("visit", time.monotonic() - started, type(exc).__name__, sent_in=phase)
            return False
        self.log.add("visit", time.monotonic() - started, status, sent_in=phase)
        if status in (200, 201):
            self.acknowledged[body["client_uuid"]] = answer["id"]
            return True
        if status < 500:
            self.refused.append((status, answer))
            return True
        return False

    def run(self):
        while not self.stop_event.is_set():
            body = self.pending or self.visit()
            self.pending = None if self.post(body) else body
            if self.pending:
                time.sleep(0.2)
        deadline = time.monotonic() + 20
        while self.pending and time.monotonic() < deadline:
            if self.post(self.pending):
                self.pending = None
            else:
                time.sleep(0.3)


class HealthPoller(threading.Thread):
    def __init__(self, port, log, stop):
        super().__init__(daemon=True)
        self.port, self.log, self.stop_event = port, log, stop
        self.not_json: list = []

    def run(self):
        while not self.stop_event.is_set():
            phase = self.log.phase
            started = time.monotonic()
            try:
                status, kind, body = request(self.port, "GET", "/healthz", timeout=10)
            except OSError as exc:
                self.log.add("healthz", 0, type(exc).__name__, sent_in=phase)
            else:
                self.log.add("healthz", time.monotonic() - started, status, sent_in=phase)
                if not kind.startswith("application/json") or status not in (200, 503):
                    self.not_json.append((phase, status, kind, str(body)[:200]))
            time.sleep(0.3)


def _beat(env, directory):
    return subprocess.Popen(  # noqa: S603
        [str(CELERY), "-A", "config", "beat", "-l", "warning", "-s", f"{directory}/beat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _reconnected_after(worker: Worker, since: float) -> float | None:
    """Seconds from ``since`` (wall clock) to the worker's first 'Connected to' after it."""
    for line in worker.output(whole=True).splitlines():
        match = re.match(
            r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): INFO/MainProcess\] Conn", line
        )
        if match:
            at = dt.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").timestamp()
            at += int(match[2]) / 1000
            if at >= since:
                return at - since
    return None


def _summary(log: Log, phase: str, what="visit") -> str:
    statuses = Counter(log.statuses(phase, what=what))
    seconds = sorted(log.seconds(phase, what=what)) or [0]
    return (
        f"{phase}: {sum(statuses.values()):4d} {what} {dict(statuses)}; "
        f"median {1000 * seconds[len(seconds) // 2]:.0f} ms, slowest {1000 * seconds[-1]:.0f} ms"
    )


# No 5xx for a request sent and answered in these phases (PostgreSQL is up in all of them).
NO_5XX = (
    "steady",
    "redis down",
    "redis back",
    "web worker killed",
    "celery worker down",
    "celery worker back",
    "postgres back",
    "phones finish",
)


def test_the_fault_drill_loses_nothing_and_answers_no_5xx_while_it_should_not(field):
    require_services()
    started = time.monotonic()
    cluster = PostgresCluster().init().start()
    redis_server = RedisServer().start()
    web = worker = beat = None
    stop = threading.Event()
    log = Log()
    try:
        cluster.copy_database(database_url())
        queue = f"drill-{uuid.uuid4().hex[:8]}"
        env = production_env(
            database_url=cluster.url(),
            redis_url=redis_server.url,
            CELERY_QUEUE=queue,
            CELERY_VISIBILITY_TIMEOUT="5",
            RECONCILE_INTERVAL_SECONDS="2",
            RECONCILE_GRACE_SECONDS="2",
        )
        web = WebServer(env).start()
        worker_env = {k: v for k, v in env.items() if k not in ("REDIS_URL", "CELERY_QUEUE")}
        worker_env["LOG_LEVEL"] = "INFO"  # its reconnection is measured from its log
        worker = Worker(
            broker_url=redis_server.url, queue=queue, extra_env=worker_env, log_level="info"
        ).start()
        beat = _beat(env, cluster.dir)
        wait_for(
            lambda: " ready." in worker.output(),
            timeout=30,
            message=f"the Celery worker did not start\n{worker.output()}",
        )
        set_up = time.monotonic() - started

        phones = [
            Phone(n, port=web.port, token=token, field=field, log=log, stop=stop)
            for n, token in enumerate(field["tokens"])
        ]
        poller = HealthPoller(web.port, log, stop)
        for thread in [*phones, poller]:
            thread.start()

        log.phase = "steady"
        time.sleep(3)

        log.phase = "redis down"
        redis_server.stop()
        time.sleep(6)
        log.phase = "redis back"
        back_at = time.time()
        redis_server.start()
        time.sleep(3)
        reconnected = _reconnected_after(worker, back_at)

        log.phase = "web worker killed"
        subprocess.run(["/bin/kill", "-KILL", str(web.worker_pids()[0])], check=True)  # noqa: S603
        time.sleep(2)

        log.phase = "celery worker down"
        worker.kill()
        time.sleep(4)
        log.phase = "celery worker back"
        worker.start()
        wait_for(lambda: " ready." in worker.output(), timeout=30, message="no worker")
        time.sleep(1)

        log.phase = "postgres down"
        cluster.stop()
        time.sleep(3)
        cluster.start()
        log.phase = "postgres back"
        time.sleep(4)

        log.phase = "phones finish"
        stop.set()
        for thread in [*phones, poller]:
            thread.join(timeout=30)
        drain_started = time.monotonic()

        def drained():
            pending = cluster.query("SELECT count(*) FROM reports_pendingstation")[0][0]
            return pending == "0"

        wait_for(drained, timeout=20, message=f"aggregates not caught up\n{worker.output()}")
        drained_in = time.monotonic() - drain_started
        reconcile = subprocess.run(  # noqa: S603
            [str(CELERY.with_name("python")), "manage.py", "reconcile_aggregates"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        stored = cluster.query("SELECT client_uuid, id FROM observation_visit")
    finally:
        stop.set()
        if beat:
            beat.terminate()
            beat.wait(timeout=10)
        if worker:
            worker.stop()
        if web:
            web.stop()
        redis_server.stop()
        cluster.remove()

    acknowledged = {}
    for phone in phones:
        acknowledged.update(phone.acknowledged)
    stored_uuids = Counter(row[0] for row in stored)
    print(f"\nset-up {set_up:.1f} s, whole drill {time.monotonic() - started:.1f} s")
    for phase in dict.fromkeys(p for _w, p, *_ in log.answers):
        print(_summary(log, phase))
        print(_summary(log, phase, what="healthz"))
    print(f"Celery worker connected again {reconnected} s after Redis was back")
    print(f"aggregates caught up {drained_in:.1f} s after the phones stopped")
    print(reconcile.stdout.strip())
    print(f"{len(acknowledged)} visits acknowledged, {len(stored)} stored")

    assert [p.refused for p in phones] == [[]] * PHONES
    assert all(p.pending is None for p in phones), "a phone could not deliver a visit"
    assert set(acknowledged) == set(stored_uuids), "a visit was lost (or stored unacknowledged)"
    assert max(stored_uuids.values()) == 1, "a visit was stored twice"
    assert {int(row[1]) for row in stored} == set(acknowledged.values())
    assert log.server_errors(NO_5XX) == []
    assert log.server_errors(NO_5XX, what="healthz") == []
    for phase in NO_5XX[:-1]:
        assert log.statuses(phase), f"no visit sent while {phase}"
    assert 500 not in log.statuses("postgres down"), "PostgreSQL down is a 503 to retry"
    assert len(log.statuses("redis down")) > 30
    assert poller.not_json == []
    assert 503 in log.statuses("postgres down", what="healthz")
    assert reconnected is not None and reconnected < 2
    assert reconcile.returncode == 0, reconcile.stderr
    assert re.search(r"\b0 cells changed", reconcile.stdout), reconcile.stdout
