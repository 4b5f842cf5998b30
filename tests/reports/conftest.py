import pytest
from django.db import transaction

from observation.models import Finding
from reports.pipeline import visits_changed
from tests.reports.factories import VisitFactory


class Pipeline:
    """Changes visits the way the services do: in a transaction that calls visits_changed;
    the on-commit update runs when the transaction commits (eager Celery, as in the suite)."""

    def __init__(self, capture):
        self.capture = capture

    def _commit(self, mission_id, station_ids, change):
        with self.capture(execute=True):
            with transaction.atomic():
                result = change()
                visits_changed(mission_id=mission_id, station_ids=station_ids)
        return result

    def submit(self, *, station, findings=(), **fields):
        def change():
            visit = VisitFactory(station=station, **fields)
            for category, severity, *review in findings:
                Finding.objects.create(
                    visit=visit,
                    category=category,
                    severity=severity,
                    review_status=review[0] if review else "PENDING",
                )
            return visit

        return self._commit(station.mission_id, [station.pk], change)

    def edit(self, visit, **fields):
        def change():
            for name, value in fields.items():
                setattr(visit, name, value)
            visit.save(update_fields=[*fields, "updated_at"])
            return visit

        return self._commit(visit.mission_id, [visit.station_id], change)

    def delete(self, visit):
        return self._commit(visit.mission_id, [visit.station_id], visit.delete)

    def dismiss(self, finding):
        def change():
            finding.review_status = "DISMISSED"
            finding.save(update_fields=["review_status"])

        return self._commit(finding.visit.mission_id, [finding.visit.station_id], change)


@pytest.fixture
def pipeline(django_capture_on_commit_callbacks):
    return Pipeline(django_capture_on_commit_callbacks)


# --- briefings --------------------------------------------------------------------------------

OBSERVER_NAME = "Olga Observer"
FINDING_DESCRIPTION = "Olga saw the chairman of PS-secret stuff ballots"


@pytest.fixture
def reported(pipeline, station, other_station, observer, other_team_observer):
    """A morning and evening of reports from two teams at the two stations of ``mission``,
    and the election commission's turnout at 11:00.

    National figures: 2 observers (1 state, 1 organisation), 2 of 2 stations in 1 region;
    opening 0 of 1 negative, voting 1 of 2, counting 1 of 1; turnout at 11:00 400 of 1,500
    registered; findings: secrecy (serious), family voting (minor), counting (critical).
    """
    import datetime as dt
    from decimal import Decimal

    from reports.models import OfficialTurnout
    from tests.reports.factories import local

    pipeline.submit(
        station=station,
        observer=observer,
        stage="OPENING",
        arrived_at=local(7, 30),
        assessment="GOOD",
    )
    voting = pipeline.submit(
        station=station,
        observer=observer,
        arrived_at=local(10, 30),
        voters_so_far=300,
        assessment="BAD",
        findings=[("SECRECY", "SERIOUS")],
    )
    pipeline.submit(
        station=other_station,
        observer=other_team_observer,
        arrived_at=local(10, 40),
        voters_so_far=100,
        assessment="GOOD",
        findings=[("FAMILY_VOTING", "MINOR")],
    )
    pipeline.submit(
        station=station,
        observer=observer,
        stage="COUNTING",
        arrived_at=local(20, 30),
        assessment="VERY_BAD",
        findings=[("COUNT_IRREGULARITY", "CRITICAL")],
    )
    Finding.objects.filter(visit=voting).update(description=FINDING_DESCRIPTION)
    OfficialTurnout.objects.create(
        mission=station.mission,
        at=local(11),
        percent=Decimal("25.00"),
        created_at=local(11, 5) + dt.timedelta(minutes=1),
    )
    return station.mission
