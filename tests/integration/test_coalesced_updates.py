"""Coalesced aggregate updates on a real Redis: one waiting task per mission, and none lost.

No worker here: the test reads the queue, then runs the task's body in this process, so it
can stop at the moments that matter (a change committed while a task waits, one committed
after the task started).
"""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reports.aggregates import selectors
from reports.aggregates.reconcile import aggregates_reconcile
from reports.aggregates.tasks import pending_update, queued_mark
from reports.models import PendingStation
from reports.pipeline import visits_changed
from tests.missions.factories import StationFactory
from tests.reports.brokers import real_broker
from tests.reports.factories import VisitFactory, local

from .workers import require_services

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def broker():
    require_services()
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    client.flushdb()  # our own database number only
    queue = f"obs-coalesce-{uuid.uuid4().hex[:8]}"
    with real_broker(settings.TEST_REDIS_URL, queue=queue):
        yield client, queue
    client.flushdb()


def submit(station, voters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            VisitFactory(station=station, arrived_at=local(9, 30), voters_so_far=voters)
            visits_changed(mission_id=station.mission_id, station_ids=[station.pk])


def national_voters(mission):
    return sum(r["voters"] for r in selectors.turnout_rows(mission=mission, level="national"))


def test_changes_while_an_update_waits_enqueue_nothing_more_and_are_all_counted(
    broker, mission, django_capture_on_commit_callbacks
):
    client, queue = broker
    stations = [StationFactory(mission=mission, registered_voters=1000) for _ in range(3)]
    aggregates_reconcile(mission=mission, now=timezone.now())

    for station, voters in zip(stations, (100, 200, 300)):
        submit(station, voters, django_capture_on_commit_callbacks)

    assert client.llen(queue) == 1  # three changes, one waiting update
    assert national_voters(mission) == 0

    assert pending_update(mission_id=mission.pk, now=timezone.now()) == 3

    assert national_voters(mission) == 600
    assert not PendingStation.objects.exists()


def test_a_change_after_the_update_started_enqueues_the_next_one(
    broker, mission, django_capture_on_commit_callbacks
):
    client, queue = broker
    first, second = (StationFactory(mission=mission, registered_voters=1000) for _ in range(2))
    aggregates_reconcile(mission=mission, now=timezone.now())
    submit(first, 100, django_capture_on_commit_callbacks)
    assert client.llen(queue) == 1

    pending_update(mission_id=mission.pk, now=timezone.now())  # the waiting task has run
    submit(second, 250, django_capture_on_commit_callbacks)

    assert client.llen(queue) == 2  # the second change did not rely on the finished task
    assert national_voters(mission) == 100
    pending_update(mission_id=mission.pk, now=timezone.now())
    assert national_voters(mission) == 350


def test_a_full_batch_enqueues_another_run_for_the_rest(
    broker, mission, django_capture_on_commit_callbacks
):
    client, queue = broker
    stations = [StationFactory(mission=mission, registered_voters=1000) for _ in range(3)]
    aggregates_reconcile(mission=mission, now=timezone.now())
    for station in stations:
        submit(station, 100, django_capture_on_commit_callbacks)
    assert client.llen(queue) == 1

    assert pending_update(mission_id=mission.pk, now=timezone.now(), batch=2) == 2

    assert client.llen(queue) == 2
    assert PendingStation.objects.count() == 1
    assert pending_update(mission_id=mission.pk, now=timezone.now(), batch=2) == 1
    assert national_voters(mission) == 300
    assert client.llen(queue) == 2  # a short batch: nothing left, nothing more enqueued


def test_a_lost_publish_does_not_block_later_changes(
    broker, mission, django_capture_on_commit_callbacks, monkeypatch
):
    client, queue = broker
    station = StationFactory(mission=mission, registered_voters=1000)
    aggregates_reconcile(mission=mission, now=timezone.now())

    def refuse(*args, **kwargs):
        raise ConnectionError("broker went away")

    with monkeypatch.context() as patched:
        patched.setattr("reports.aggregates.tasks.aggregate_pending.apply_async", refuse)
        submit(station, 100, django_capture_on_commit_callbacks)
    assert client.llen(queue) == 0
    assert not client.exists(queued_mark(mission.pk))  # the mark went with it

    submit(station, 200, django_capture_on_commit_callbacks)

    assert client.llen(queue) == 1
