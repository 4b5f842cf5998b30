"""The one CSV writer of every download (exports, samples, chart data), and the one guard
against cells a spreadsheet program would run as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe (OWASP "CSV injection"): a station named ``=HYPERLINK(...)`` shows as
text. The big exports (reports/exports/datasets.py) guard their text columns as they build
each row, where they know which columns are text, and pass ``guarded=True`` so that a million
rows are not checked twice; everything else lets the writer guard every cell.

Every CSV a person downloads starts with a UTF-8 byte order mark: without it Excel reads the
file in the computer's legacy code page, and Cyrillic and Kazakh names come out as "Ð¨ÐºÐ¾Ð»Ð°"
(issue 20). ``?bom=0`` on the download's URL leaves it out, for programs that would read the
mark as part of the first column's name (``bom_wanted`` reads the parameter).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_ROWS = 500


BOM_PARAMETER = "bom"
BOM_OFF = ("0", "false", "no")
BOM_HELP = (
    "The CSV starts with a UTF-8 byte order mark, so that Excel reads Cyrillic right: "
    "`bom=0` leaves it out."
)


def bom_wanted(params) -> bool:
    """Whether a CSV download starts with the byte order mark: yes unless ``?bom=0`` (or
    ``false``/``no``). ``params`` is ``request.GET`` or DRF's ``request.query_params``."""
    return str(params.get(BOM_PARAMETER, "1")).strip().lower() not in BOM_OFF


def guard(value):
    """The cell as a spreadsheet must show it: numbers as they are, formula-like text defused."""
    if type(value) is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(
    header: Sequence | None,
    rows: Iterable[Sequence],
    *,
    guarded: bool = False,
    bom: bool = False,
    lineterminator: str = "\r\n",
    flush_rows: int = FLUSH_ROWS,
) -> Iterator[bytes]:
    """UTF-8 CSV, a few hundred rows per chunk (for a StreamingHttpResponse)."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator=lineterminator)
    if header is not None:
        writer.writerow([guard(cell) for cell in header])
    pending = 0
    for row in rows:
        writer.writerow(row if guarded else [guard(cell) for cell in row])
        pending += 1
        if pending >= flush_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(rows: Iterable[Sequence], *, guarded: bool = False, bom: bool = False) -> bytes:
    """A whole small CSV (a chart's data) at once; the first row is its header."""
    return b"".join(csv_chunks(None, rows, guarded=guarded, bom=bom))
