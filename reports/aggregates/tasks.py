"""Celery tasks that keep the aggregates, and how they are enqueued.

Tasks are thin: load by id, call one service. Their ``name=`` is pinned (``reports.tasks.*``,
their names before reports had sub-packages): queued messages and the beat schedule use it.

Acknowledged late (settings): a worker killed mid-task leaves the message to be delivered
again, and the task is idempotent; a message lost for good leaves its ``PendingStation`` rows,
which ``reconcile_all_missions`` picks up.

Updates are coalesced per mission (``reports.pipeline``): ``update_enqueue`` enqueues
``aggregate_pending`` only if no such task of the mission is waiting, a Redis ``SET NX`` mark
on the broker (``queued_mark``) that the task deletes when it starts, before it reads the
pending rows.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from config.celery import app
from missions.models import Mission
from reports.aggregates.reconcile import aggregates_reconcile, aggregates_reconcile_due
from reports.aggregates.update import aggregates_update_pending, aggregates_update_stations

logger = logging.getLogger(__name__)

# A dead broker must cost a request at most a moment: one quick retry (a pooled connection
# may have gone stale when Redis restarted), then give up and leave it to reconciliation.
ENQUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
# How long the "an update is waiting" mark lives at most: if its task were lost, changes
# enqueue again after this, and reconciliation covers the meantime.
QUEUED_MARK_SECONDS = 10
# Stations one ``aggregate_pending`` run brings up to date; a full batch enqueues another.
PENDING_BATCH = 500

_redis_clients = {}


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


def broker():
    """A Redis client on the broker Celery publishes to, or None when tasks run eagerly."""
    if app.conf.task_always_eager or not str(app.conf.broker_url).startswith("redis"):
        return None
    url = app.conf.broker_url
    if url not in _redis_clients:
        import redis

        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        _redis_clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=options.get("socket_connect_timeout", 2),
            socket_timeout=options.get("socket_timeout", 10),
        )
    return _redis_clients[url]


def queued_mark(mission_id: int) -> str:
    """The broker key that says an ``aggregate_pending`` of the mission is waiting."""
    return f"observatory:aggregate-queued:{app.conf.task_default_queue}:{mission_id}"


def update_enqueue(mission_id: int, station_ids: list[int] | None = None) -> None:
    """After a commit: make sure an ``aggregate_pending`` of the mission starts from now on."""
    try:
        client = broker()
        if client is not None and not client.set(
            queued_mark(mission_id), "1", nx=True, ex=QUEUED_MARK_SECONDS
        ):
            return  # one is waiting and has not read the pending rows yet: it will see ours
        try:
            aggregate_pending.apply_async(
                kwargs={"mission_id": mission_id},
                retry=True,
                retry_policy=ENQUEUE_RETRY_POLICY,
            )
        except Exception:
            if client is not None:
                client.delete(queued_mark(mission_id))
            raise
    except Exception:  # noqa: BLE001 - the visit is committed; reconciliation has it
        logger.exception(
            "Could not run the aggregate update of mission %s stations %s; "
            "they stay pending until reconciliation.",
            mission_id,
            station_ids,
        )


def pending_update(*, mission_id: int, now, batch: int | None = None) -> int:
    """Bring up to date the aggregates of the mission's pending stations (the oldest
    ``batch``); enqueue another run if more are left. Returns the number of stations."""
    client = broker()
    if client is not None:
        client.delete(queued_mark(mission_id))  # before reading: later changes enqueue anew
    batch = batch or PENDING_BATCH
    count = aggregates_update_pending(mission_id=mission_id, now=now, limit=batch)
    if count == batch:
        update_enqueue(mission_id)
    return count


def reconcile_enqueue(mission_id: int) -> None:
    """After a commit: rebuild the mission's aggregates (``reconcile_mission``)."""
    try:
        reconcile_mission.apply_async(
            kwargs={"mission_id": mission_id}, retry=True, retry_policy=ENQUEUE_RETRY_POLICY
        )
    except Exception:  # noqa: BLE001
        logger.exception("Could not enqueue the reconcile of mission %s.", mission_id)
