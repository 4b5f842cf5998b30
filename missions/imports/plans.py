"""What an import would do (the plan), its result, and the one flow both imports run."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_record
from .spreadsheets import FileProblem, duplicate_columns, table_read

# The browser preview keeps this many rows beside every row with an error.
PREVIEW_ROWS = 500
BATCH_SIZE = 2000

Progress = Callable[[int], None] | None


@dataclass
class ImportResult:
    """What an import did, or would do (``dry_run``), and every problem it found."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False
    # Related rows made on the way: {"areas": 3} or {"users": 5, "teams": 2, ...}.
    also_created: dict = field(default_factory=dict)
    # Row by row, for the browser: {"row", "action", "values", "changes", "errors"}.
    preview: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_response(self) -> dict:
        """The API answer: counts are 0 when anything is wrong, since nothing was imported."""
        ok = self.ok
        return {
            "created": self.created if ok else 0,
            "updated": self.updated if ok else 0,
            "unchanged": self.unchanged if ok else 0,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "also_created": self.also_created if ok else {},
            "errors": self.errors,
        }


def _file_error(message: str, *, dry_run: bool) -> ImportResult:
    return ImportResult(
        errors=[{"row": None, "field": "file", "message": message}], dry_run=dry_run
    )


def _report(progress: Progress, percent: int) -> None:
    if progress is not None:
        progress(percent)


def _header_errors(columns: list[str], required: tuple[str, ...]) -> list[dict]:
    errors = []
    present = set(columns)
    for name in required:
        if name not in present:
            errors.append(
                {
                    "row": 1,
                    "field": name,
                    "message": _(
                        'Missing required column "%(column)s". The header row must name: '
                        "%(required)s."
                    )
                    % {"column": name, "required": ", ".join(required)},
                }
            )
    for name in duplicate_columns(columns):
        errors.append(
            {
                "row": 1,
                "field": name,
                "message": _('The column "%(column)s" appears more than once.') % {"column": name},
            }
        )
    return errors


# Cell parsers: each returns a clean value or raises BadValue with a message.


class _Plan:
    """What one file would do, row by row: the shared part of the station and observer plans.

    Subclasses set ``required`` (columns) and ``action`` (audit), fill ``to_create``,
    ``to_update``, ``unchanged``, ``errors`` and ``preview`` in ``add``, and write in ``write``.
    The browser preview keeps the first rows and every row in error.
    """

    required: tuple[str, ...]
    action: str

    preview: list[dict]

    def _preview(self, number, action, values, *, changes=None, errors=None) -> None:
        if errors or len(self.preview) < PREVIEW_ROWS:
            self.preview.append(
                {
                    "row": number,
                    "action": action,
                    "values": values,
                    "changes": changes or {},
                    "errors": errors or [],
                }
            )

    @classmethod
    def for_table(cls, *, mission, table) -> "_Plan":
        return cls(mission=mission, columns=table.columns)

    def also_created(self) -> dict:
        """Related rows the import makes on the way, by kind."""
        raise NotImplementedError

    def written(self, result: "ImportResult") -> None:
        """Called in the import's transaction once the rows are written."""

    def write(self) -> int:
        raise NotImplementedError


def import_run(
    *, mission, file, plan: type["_Plan"], dry_run: bool, actor, now, progress: Progress
) -> ImportResult:
    """The one import flow: read the file, check every row into a ``plan`` (a ``_Plan`` class),
    and only if nothing is wrong (and not ``dry_run``) write it with its audit event, in one
    transaction. Reports 10/20..60/100 percent to ``progress``."""
    now = now or timezone.now()
    try:
        table = table_read(file=file)
    except FileProblem as problem:
        return _file_error(problem.message, dry_run=dry_run)
    header_errors = _header_errors(table.columns, plan.required)
    if header_errors:
        return ImportResult(errors=header_errors, rows=len(table.rows), dry_run=dry_run)
    _report(progress, 10)
    plan = plan.for_table(mission=mission, table=table)
    _report(progress, 20)
    step = max(1, len(table.rows) // 10)
    for index, (number, values) in enumerate(table.rows, start=1):
        plan.add(number, values)
        if index % step == 0:
            _report(progress, 20 + 40 * index // len(table.rows))
    result = ImportResult(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        unchanged=plan.unchanged,
        rows=len(table.rows),
        errors=plan.errors.items,
        dry_run=dry_run,
        also_created=plan.also_created(),
        preview=plan.preview,
    )
    _report(progress, 60)
    if not result.ok or dry_run:
        return result
    with transaction.atomic():
        plan.write()
        plan.written(result)
        audit_record(
            actor=actor,
            mission=mission,
            action=plan.action,
            obj=mission,
            after={
                "file": getattr(file, "name", ""),
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                **{f"{kind}_created": count for kind, count in result.also_created.items()},
            },
            at=now,
        )
    _report(progress, 100)
    return result
