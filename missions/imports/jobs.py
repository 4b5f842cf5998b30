"""Browser imports: upload, check (preview), confirm. Large files go through a Celery task."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_record
from ..models import (
    ImportJob,
    ImportKind,
    ImportStatus,
)
from .observers import observers_import
from .plans import ImportResult
from .spreadsheets import rows_estimate
from .stations import stations_import

IMPORTERS = {ImportKind.STATIONS: stations_import, ImportKind.OBSERVERS: observers_import}
STORED_ERRORS = 2000


def import_progress_key(job_id: int) -> str:
    return f"missions:import-job:{job_id}:progress"


def _progress_reporter(job_id: int) -> Callable[[int], None]:
    def report(percent: int) -> None:
        cache.set(import_progress_key(job_id), int(percent), timeout=3600)

    return report


def import_job_runs_in_worker(job: ImportJob) -> bool:
    return job.rows > settings.IMPORT_ASYNC_ROWS


def import_job_start_api(*, mission, kind: str, upload, dry_run: bool, actor, now=None):
    """An API import too large for a request (``IMPORT_API_ASYNC_ROWS``): the file is kept and a
    worker checks it (``dry_run``) or imports it, all or nothing (it is checked again first).
    Returns the job, for the caller to enqueue ``missions.tasks.import_job_run`` on commit
    (the step ``import_job_step(dry_run=...)``); its state is
    ``GET /api/v1/missions/{id}/imports/{job_id}/``."""
    now = now or timezone.now()
    job = import_job_create(mission=mission, kind=kind, upload=upload, actor=actor, now=now)
    if not dry_run:  # the API has no preview to confirm: the request is the confirmation
        job.status = ImportStatus.IMPORTING
        job.confirmed_by = actor
        job.save(update_fields=["status", "confirmed_by"])
    return job


def import_job_step(*, dry_run: bool) -> str:
    return "check" if dry_run else "apply"


def import_job_create(*, mission, kind: str, upload, actor, now=None) -> ImportJob:
    """Keep the uploaded file in storage and count its rows; nothing is imported yet."""
    now = now or timezone.now()
    if kind not in IMPORTERS:
        raise ValidationError({"kind": [_("Unknown import.")]})
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than the limit of %(limit)s MB.")
                    % {"limit": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}"}
                ]
            }
        )
    job = ImportJob(
        mission=mission,
        kind=kind,
        filename=(upload.name or "upload")[-255:],
        size=upload.size,
        rows=rows_estimate(file=upload),
        created_by=actor,
        created_at=now,
    )
    job.file.save(job.filename, upload, save=False)
    job.save()
    audit_record(
        actor=actor,
        mission=mission,
        action="import.upload",
        obj=job,
        after={"kind": kind, "file": job.filename, "size": job.size, "rows": job.rows},
        at=now,
    )
    return job


def _stored_result(result: ImportResult) -> dict:
    body = result.as_response()
    body["would_create"] = result.created
    body["would_update"] = result.updated
    body["would_keep"] = result.unchanged
    body["errors_total"] = len(result.errors)
    body["errors"] = result.errors[:STORED_ERRORS]
    body["preview"] = result.preview
    return body


def _job_run(*, job: ImportJob, dry_run: bool, actor, done: str, now) -> None:
    """Run the job's importer on its stored file; the job becomes ``done`` or INVALID."""
    with job.file.open("rb") as handle:
        result = IMPORTERS[job.kind](
            mission=job.mission,
            file=File(handle, name=job.filename),
            dry_run=dry_run,
            actor=actor,
            now=now,
            progress=_progress_reporter(job.pk),
        )
    job.status = done if result.ok else ImportStatus.INVALID
    job.result = _stored_result(result)
    job.progress = 100
    job.finished_at = now
    job.save(update_fields=["status", "result", "progress", "finished_at"])


def import_job_check(*, job: ImportJob, now=None) -> ImportJob:
    """Dry-run the stored file: the job becomes VALID (with a preview) or INVALID."""
    now = now or timezone.now()
    if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return job  # already checked: running twice changes nothing
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    _job_run(job=job, dry_run=True, actor=job.created_by, done=ImportStatus.VALID, now=now)
    cache.delete(import_progress_key(job.pk))
    if job.status == ImportStatus.INVALID:
        # The preview keeps what the coordinator needs to fix it; the file itself (names,
        # phone numbers) is kept no longer than needed.
        transaction.on_commit(lambda: job.file.delete(save=True))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor, now=None) -> ImportJob:
    """Mark a checked job for import by ``actor``; the import itself is ``import_job_apply``."""
    now = now or timezone.now()
    if job.status != ImportStatus.VALID:
        raise ValidationError(
            {"status": [_("Only a checked file without errors can be imported.")]}
        )
    job.status = ImportStatus.IMPORTING
    job.confirmed_by = actor
    job.progress = 0
    job.save(update_fields=["status", "confirmed_by", "progress"])
    audit_record(
        actor=actor,
        mission=job.mission,
        action="import.confirm",
        obj=job,
        before={"status": ImportStatus.VALID},
        after={"status": job.status, "kind": job.kind, "file": job.filename},
        at=now,
    )
    return job


def import_job_apply(*, job: ImportJob, now=None) -> ImportJob:
    """Import the stored file for real, all or nothing; the file is checked again first."""
    now = now or timezone.now()
    if job.status != ImportStatus.IMPORTING:
        return job  # done already, or never confirmed
    with transaction.atomic():
        _job_run(job=job, dry_run=False, actor=job.confirmed_by, done=ImportStatus.DONE, now=now)
    cache.delete(import_progress_key(job.pk))
    if job.status == ImportStatus.DONE:
        # The accreditation list names people: keep it no longer than needed.
        transaction.on_commit(lambda: job.file.delete(save=True))
    return job


def import_job_fail(*, job_id: int, message: str, now=None) -> None:
    """Record that a worker gave up on the job (time limit, crash)."""
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED,
        result={"errors": [{"row": None, "field": "file", "message": message}], "errors_total": 1},
        finished_at=now or timezone.now(),
    )
    cache.delete(import_progress_key(job_id))


def import_job_state(*, job: ImportJob) -> dict:
    """What the progress bar shows."""
    running = job.status in (
        ImportStatus.PENDING,
        ImportStatus.VALIDATING,
        ImportStatus.IMPORTING,
    )
    progress = cache.get(import_progress_key(job.pk)) if running else None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": progress if progress is not None else job.progress,
        "running": running,
    }
