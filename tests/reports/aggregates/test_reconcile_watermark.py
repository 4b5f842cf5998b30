"""The reconcile's watermark against a visit still in flight on another connection.

Ids come from a sequence, not in commit order: a visit with a lower id can commit after one
with a higher id. A reconcile must not raise its watermark over a visit it did not count.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reports.aggregates import sql as aggregate_sql
from reports.aggregates.reconcile import aggregates_reconcile
from reports.aggregates.sql import visits_unaggregated
from reports.models import AggregateState
from tests.missions.factories import ObserverFactory
from tests.reports.factories import VisitFactory, local
from tests.reports.reference import assert_matches_recompute

pytestmark = pytest.mark.django_db(transaction=True)


class InFlight:
    """A visit inserted on its own connection, committed only when told to."""

    def __init__(self, station, observer):
        self.station = station
        self.observer = observer
        self.inserted = threading.Event()
        self.release = threading.Event()
        self.problems = []
        self.visit = None
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with transaction.atomic():
                self.visit = VisitFactory(
                    station=self.station,
                    observer=self.observer,
                    arrived_at=local(9, 10),
                    voters_so_far=100,
                )
                self.inserted.set()
                self.release.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.problems.append(exc)
            self.inserted.set()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.inserted.wait(timeout=30)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=30)
        assert self.problems == []


@pytest.fixture
def observer(station):
    """Made beforehand: the two connections then insert nothing but their visit (each would
    otherwise wait for the other's uncommitted organisation)."""
    return ObserverFactory(mission=station.mission)


def test_a_reconcile_waits_for_a_lower_id_in_flight_and_counts_it(station, other_station, observer):
    mission = station.mission
    with InFlight(station, observer) as early:
        # Committed while the earlier id is still in flight.
        late = VisitFactory(
            station=other_station, observer=observer, arrived_at=local(9, 20), voters_so_far=50
        )
        assert early.visit.pk < late.pk
        threading.Timer(0.3, early.release.set).start()

        result = aggregates_reconcile(mission=mission, now=timezone.now())

    assert result.claimed == 2
    assert AggregateState.objects.get(mission=mission).visits_aggregated_through == late.pk
    assert not visits_unaggregated().exists()
    assert_matches_recompute(mission)  # both visits counted


def test_visit_writers_do_not_wait_for_a_reconcile_that_waits(station, other_station, observer):
    mission = station.mission
    done = {}

    def write():
        VisitFactory(station=other_station, observer=observer)
        done["written"] = time.monotonic()
        connection.close()

    def release():
        done["released"] = time.monotonic()
        early.release.set()

    with InFlight(station, observer) as early:
        late = VisitFactory(station=other_station, observer=observer)
        writer = threading.Timer(0.1, write)
        writer.start()
        threading.Timer(0.8, release).start()

        result = aggregates_reconcile(mission=mission, now=timezone.now())

    writer.join(timeout=30)
    assert done["written"] < done["released"]  # inserted while the reconcile was waiting
    assert result.claimed == 2
    assert AggregateState.objects.get(mission=mission).visits_aggregated_through == late.pk
    (written,) = visits_unaggregated()  # above the mark: the next one's to claim
    assert written.pk > late.pk
    assert aggregates_reconcile(mission=mission, now=timezone.now()).claimed == 1


def test_a_reconcile_that_cannot_wait_leaves_the_in_flight_visit_unclaimed(
    station, other_station, observer, monkeypatch, caplog
):
    mission = station.mission
    monkeypatch.setattr(aggregate_sql, "WATERMARK_WAIT_SECONDS", 0.2)
    with InFlight(station, observer) as early:
        late = VisitFactory(
            station=other_station, observer=observer, arrived_at=local(9, 20), voters_so_far=50
        )

        result = aggregates_reconcile(mission=mission, now=timezone.now())

        assert result.claimed == 0
        assert "the watermark stays" in caplog.text
        assert AggregateState.objects.get(mission=mission).visits_aggregated_through is None
        assert list(visits_unaggregated()) == [late]

    assert set(visits_unaggregated()) == {early.visit, late}
    result = aggregates_reconcile(mission=mission, now=timezone.now())
    assert result.claimed == 2
    assert not visits_unaggregated().exists()
    assert_matches_recompute(mission)
