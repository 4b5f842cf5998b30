"""Reading the spreadsheets coordinators upload: CSV (UTF-8, comma, semicolon or tab) or XLSX.

``table_read`` turns an uploaded file into a header and data rows, or raises ``FileProblem``
with a message that tells the coordinator what to do. It knows nothing about stations or
observers; the import services in ``missions/imports.py`` validate the rows.
"""

import csv
import datetime as dt
import io
import itertools
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc) files
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileProblem(Exception):
    """The file as a whole cannot be read; ``message`` says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A header (normalised column names) and the non-empty data rows.

    Each row is ``(row_number, {column: value})``; the row number is the one a spreadsheet
    program shows (the header is row 1). Values are stripped strings, or numbers and dates
    as an XLSX file stores them. Columns with an empty header are dropped.
    """

    columns: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    format: str = "csv"


def column_name(raw) -> str:
    """``"Registered voters"`` and ``"REGISTERED_VOTERS"`` both become ``registered_voters``."""
    text = str(raw if raw is not None else "").replace("\ufeff", "").strip().lower()
    return "_".join(text.replace("-", " ").split())


def table_read(*, file, max_bytes: int | None = None) -> Table:
    """Read an uploaded CSV or XLSX file; raise ``FileProblem`` if it cannot be read."""
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise FileProblem(
            _("The file is larger than the limit of %(limit)s; split it into smaller files.")
            % {"limit": _megabytes(limit)}
        )
    if not raw.strip():
        raise FileProblem(_("The file is empty."))
    name = (getattr(file, "name", "") or "").lower()
    if raw.startswith(XLSX_MAGIC):
        table = _xlsx_read(raw)
    elif raw.startswith(OLE2_MAGIC):
        raise FileProblem(
            _(
                "This is an old Excel .xls file, not a spreadsheet this import reads: "
                "save it as .xlsx or as CSV UTF-8 and upload again."
            )
        )
    elif name.endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("The file is named .xlsx but is not a spreadsheet (XLSX workbook)."))
    elif raw.startswith(UTF16_BOMS):
        raise FileProblem(
            _('The file is UTF-16 text, not UTF-8: save it as "CSV UTF-8" and upload again.')
        )
    elif b"\x00" in raw[:65536]:
        raise FileProblem(
            _("The file is not a spreadsheet: upload a CSV file (UTF-8) or an XLSX workbook.")
        )
    else:
        table = _csv_read(raw)
    if not table.columns:
        raise FileProblem(_("The file is empty: it has no header row."))
    if not table.rows:
        raise FileProblem(_("The file is empty: it has a header row but no data rows."))
    return table


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"


def _csv_read(raw: bytes) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "The file is not UTF-8 text (the first byte that is not UTF-8 is on line "
                '%(line)s). Save it as "CSV UTF-8" and upload again.'
            )
            % {"line": line}
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=lambda d: (first_line.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    max_rows = settings.IMPORT_MAX_ROWS
    try:
        records = list(itertools.islice(reader, max_rows + 2))
    except csv.Error as exc:
        raise FileProblem(
            _("The file is not a readable CSV file (line %(line)s: %(problem)s).")
            % {"line": reader.line_num, "problem": exc}
        ) from None
    if len(records) > max_rows + 1:
        raise _too_many_rows(max_rows)
    return _table_from_records(records, start=1, fmt="csv")


def _too_many_rows(limit: int) -> FileProblem:
    return FileProblem(
        ngettext(
            "The file has more than %(limit)s row; split it into smaller files.",
            "The file has more than %(limit)s rows; split it into smaller files.",
            limit,
        )
        % {"limit": f"{limit:,}"}
    )


def _xlsx_unpacked_size(raw: bytes) -> int:
    """What the workbook's parts declare they unpack to. (Python's zipfile never inflates a
    part past its declared size, so the declaration bounds the work.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(
            _("The file is not a spreadsheet: upload a CSV file (UTF-8) or an XLSX workbook.")
        ) from None


def _xlsx_read(raw: bytes) -> Table:
    """The first sheet, refused before it is parsed when it unpacks to more than
    ``IMPORT_MAX_UNPACKED_BYTES`` (a zip bomb) or declares more than ``IMPORT_MAX_ROWS`` rows
    (a 708 KB file declaring a million rows held a web worker for 30 s), and refused as soon
    as it turns out to hold more rows than that when it declared fewer."""
    import openpyxl

    max_rows = settings.IMPORT_MAX_ROWS
    unpacked_limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if _xlsx_unpacked_size(raw) > unpacked_limit:
        raise FileProblem(
            _("The workbook unpacks to more than %(limit)s; split it into smaller files.")
            % {"limit": _megabytes(unpacked_limit)}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        declared = sheet.max_row or 0
        records = []
        if declared <= max_rows + 1:
            for row in sheet.iter_rows(values_only=True):
                records.append(list(row))
                if len(records) > max_rows + 1:
                    break
        workbook.close()
    # openpyxl reports a damaged or foreign file with a dozen different exception types
    # (BadZipFile, KeyError, InvalidFileException, lxml errors...): all mean "not an XLSX".
    except Exception:  # noqa: BLE001
        raise FileProblem(
            _("The file is not a spreadsheet: upload a CSV file (UTF-8) or an XLSX workbook.")
        ) from None
    if declared > max_rows + 1 or len(records) > max_rows + 1:
        raise _too_many_rows(max_rows)
    return _table_from_records(records, start=1, fmt="xlsx")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _table_from_records(records: list[list], *, start: int, fmt: str) -> Table:
    header_index = next(
        (i for i, record in enumerate(records) if any(_cell(v) != "" for v in record)), None
    )
    if header_index is None:
        return Table(columns=[], format=fmt)
    header = [column_name(v) for v in records[header_index]]
    positions = [(i, name) for i, name in enumerate(header) if name]
    table = Table(columns=[name for _i, name in positions], format=fmt)
    for offset, record in enumerate(records[header_index + 1 :], start=header_index + 1):
        values = {name: _cell(record[i]) if i < len(record) else "" for i, name in positions}
        if all(v == "" for v in values.values()):
            continue
        table.rows.append((start + offset, values))
    return table


def duplicate_columns(columns: list[str]) -> list[str]:
    seen, duplicates = set(), []
    for name in columns:
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    return duplicates


def rows_estimate(*, file) -> int:
    """Roughly how many data rows the file holds, without parsing it (0 if unknown).

    Decides whether the browser import checks the file in the request or in a worker.
    """
    if hasattr(file, "seek"):
        file.seek(0)
    head = file.read(len(XLSX_MAGIC))
    if hasattr(file, "seek"):
        file.seek(0)
    if head == XLSX_MAGIC:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(file, read_only=True)
            rows = workbook.worksheets[0].max_row or 0
            workbook.close()
        except Exception:  # noqa: BLE001 - a damaged file is reported when it is checked
            rows = 0
        finally:
            file.seek(0)
        return max(0, rows - 1)
    lines = 0
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        lines += chunk.count(b"\n")
    file.seek(0)
    return max(0, lines - 1)
