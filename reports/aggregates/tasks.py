"""Celery tasks that keep the aggregates. Thin: load by id, call one service.

Acknowledged late (settings): a worker killed mid-task leaves the message to be delivered
again, and the task is idempotent; a message lost for good leaves its ``PendingStation`` rows,
which ``reconcile_all_missions`` picks up.
"""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from missions.models import Mission
from reports.aggregates.update import (
    aggregates_reconcile,
    aggregates_reconcile_due,
    aggregates_update_stations,
)


@shared_task(
    name="reports.tasks.aggregate_stations",
    soft_time_limit=30,
    time_limit=45,
    autoretry_for=(OperationalError,),  # a deadlock or a lost connection: try again
    retry_backoff=True,
    max_retries=5,
)
def aggregate_stations(*, mission_id: int, station_ids: list[int]) -> None:
    aggregates_update_stations(mission_id=mission_id, station_ids=station_ids, now=timezone.now())


@shared_task(
    name="reports.tasks.aggregate_pending",
    soft_time_limit=30,
    time_limit=45,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def aggregate_pending(*, mission_id: int) -> None:
    """The coalesced update ``visits_changed`` enqueues: every pending station of a mission."""
    from reports.pipeline import pending_update

    pending_update(mission_id=mission_id, now=timezone.now())


@shared_task(name="reports.tasks.reconcile_mission", soft_time_limit=120, time_limit=150)
def reconcile_mission(*, mission_id: int) -> None:
    mission = Mission.objects.filter(pk=mission_id).first()
    if mission is not None:
        aggregates_reconcile(mission=mission, now=timezone.now())


# Under the broker visibility timeout (300 s), so a long run is not delivered twice.
@shared_task(name="reports.tasks.reconcile_all_missions", soft_time_limit=200, time_limit=240)
def reconcile_all_missions() -> None:
    aggregates_reconcile_due(now=timezone.now())


@shared_task(name="reports.tasks.build_briefing_pack", soft_time_limit=240, time_limit=300)
def build_briefing_pack(*, pack_id: int) -> None:
    """Render a briefing's pack PDF, page by page, writing its progress (idempotent)."""
    from reports.briefings.services import briefing_pack_build

    briefing_pack_build(pack_id=pack_id, now=timezone.now)
