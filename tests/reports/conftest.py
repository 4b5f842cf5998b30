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
