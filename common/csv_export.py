"""The one CSV writer of every download (exports, samples, chart data), and the one guard
against cells a spreadsheet program would run as a formula.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe (OWASP "CSV injection"): a station named ``=HYPERLINK(...)`` shows as
text. The big exports (reports/exports/datasets.py) guard their text columns as they build
each row, where they know which columns are text, and pass ``guarded=True`` so that a million
rows are not checked twice; everything else lets the writer guard every cell.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_ROWS = 500


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
