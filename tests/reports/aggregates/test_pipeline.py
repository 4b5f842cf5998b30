"""Faults lose nothing: a dead broker never fails a report, and /healthz shows the lag."""

import logging
import time
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from observation.models import Checklist, Visit
from reports.aggregates import selectors
from reports.aggregates.reconcile import aggregates_reconcile
from reports.aggregates.tasks import reconcile_all_missions
from reports.models import PendingStation
from reports.pipeline import visits_changed
from tests.observation.factories import VOTING_ANSWERS
from tests.reports.brokers import real_broker
from tests.reports.factories import VisitFactory

pytestmark = pytest.mark.django_db

# Nothing listens here (one of this suite's own ports, never started by the unit tests).
DEAD_BROKER = "redis://127.0.0.1:6399/0"


def test_with_the_broker_down_a_visit_post_answers_201_and_waits_for_reconciliation(
    api, observer, station, django_capture_on_commit_callbacks, caplog
):
    aggregates_reconcile(mission=station.mission, now=timezone.now())
    checklist = Checklist.objects.get(mission=station.mission, stage="VOTING", is_current=True)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "station": station.pk,
        "checklist": checklist.pk,
        "arrived_at": "2022-11-20T09:30:00+06:00",
        "voters_so_far": 300,
        "answers": VOTING_ANSWERS,
    }

    with (
        real_broker(DEAD_BROKER),
        caplog.at_level(logging.ERROR, logger="reports.aggregates.tasks"),
    ):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(observer.user).post("/api/v1/visits/", body, format="json")
        elapsed = time.monotonic() - started

    assert response.status_code == 201
    assert elapsed < 3  # a dead broker costs the request a moment, not a timeout
    assert "stay pending until reconciliation" in caplog.text
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.aggregated is False
    assert PendingStation.objects.filter(station_id=station.pk).exists()
    assert selectors.turnout_rows(mission=station.mission, level="national") == []

    PendingStation.objects.update(changed_at=timezone.now() - timezone.timedelta(minutes=1))
    reconcile_all_missions.delay()  # a minute later, beat's reconcile

    rows = selectors.turnout_rows(mission=station.mission, level="national")
    assert [(row["bucket_end"].hour, row["voters"]) for row in rows] == [(10, 300)]
    assert not PendingStation.objects.exists()


def test_a_change_rolled_back_enqueues_nothing_and_leaves_nothing_pending(
    station, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                VisitFactory(station=station)
                visits_changed(mission_id=station.mission_id, station_ids=[station.pk])
                raise RuntimeError("the request failed")

    assert callbacks == []
    assert not PendingStation.objects.exists()


def test_healthz_shows_the_aggregation_lag(client, station):
    PendingStation.objects.create(
        mission=station.mission,
        station_id=station.pk,
        changed_at=timezone.now() - timezone.timedelta(minutes=10),
    )

    body = client.get("/healthz").json()

    assert body["status"] == "ok"
    lag = body["aggregation"]
    assert lag["pending_stations"] == 1
    assert 590 < lag["lag_seconds"] < 700
    assert lag["ok"] is False  # ten minutes behind: workers or beat are not keeping up


def test_healthz_shows_no_lag_when_everything_is_aggregated(client, station):
    aggregates_reconcile(mission=station.mission, now=timezone.now())

    lag = client.get("/healthz").json()["aggregation"]

    assert lag == lag | {
        "ok": True,
        "pending_stations": 0,
        "unaggregated_visits": 0,
        "lag_seconds": 0.0,
    }
