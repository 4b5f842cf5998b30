"""Celery tasks of the briefings. Thin: load by id, call one service.

The task name is pinned (``reports.tasks.*``, its name before reports had sub-packages):
queued messages use it.
"""

from celery import shared_task
from django.utils import timezone

from reports.briefings.packs import briefing_pack_build


@shared_task(name="reports.tasks.build_briefing_pack", soft_time_limit=240, time_limit=300)
def build_briefing_pack(*, pack_id: int) -> None:
    """Render a briefing's pack PDF, page by page, writing its progress (idempotent)."""
    briefing_pack_build(pack_id=pack_id, now=timezone.now)
