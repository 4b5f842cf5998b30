"""Celery tasks of the missions app. Thin: load by id, call one service.

A browser import of a large file is checked, then (once confirmed) imported by a worker, so
no request waits on it. Both steps are idempotent: they act only on a job in the status that
step expects, and the import commits its rows and the job's DONE status together.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .imports import import_job_apply, import_job_check, import_job_fail
from .languages import language_code
from .models import ImportJob


@shared_task(name="missions.tasks.import_job_run", soft_time_limit=600, time_limit=660)
def import_job_run(*, job_id: int, step: str, language: str = "", **kwargs) -> None:
    """``language``: the one the coordinator read the page in, which the rows' errors are
    written in (a message from an older deploy has none: the site's default)."""
    with translation.override(language_code(language) or settings.LANGUAGE_CODE):
        _import_job_run(job_id=job_id, step=step)


def _import_job_run(*, job_id: int, step: str) -> None:
    job = ImportJob.objects.select_related("mission", "created_by", "confirmed_by").filter(
        pk=job_id
    )
    job = job.first()
    if job is None:
        return
    try:
        if step == "check":
            import_job_check(job=job, now=timezone.now())
        elif step == "apply":
            import_job_apply(job=job, now=timezone.now())
    except SoftTimeLimitExceeded:
        import_job_fail(
            job_id=job_id,
            message=_("The import took too long and was stopped; nothing was imported."),
        )
    # Anything else is a bug: say so on the job's page rather than poll for ever, then let
    # Celery log the error as usual.
    except Exception:
        import_job_fail(
            job_id=job_id,
            message=_("The import failed on the server; nothing was imported. Try again."),
        )
        raise
