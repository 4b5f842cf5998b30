"""reports.xlsx: the streaming XLSX writer, read back with openpyxl."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from reports.exports import xlsx


def read(chunks) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))


def test_values_come_back_as_written():
    rows = [
        [1, 2.5, Decimal("43.250000"), None, "", "Школа № 5", "Қарасай ауданы"],
        [-7, 0, Decimal("0"), "a & b < c > d \"e\" 'f'", "  padded  ", True, "line\nbreak"],
    ]

    sheet = read(xlsx.xlsx_chunks(name="visits", header=list("ABCDEFG"), rows=rows)).active

    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("A", "B", "C", "D", "E", "F", "G")
    assert values[1] == (1, 2.5, 43.25, None, None, "Школа № 5", "Қарасай ауданы")
    assert values[2] == (-7, 0, 0, "a & b < c > d \"e\" 'f'", "  padded  ", True, "line\nbreak")
    assert sheet.title == "visits"
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_control_characters_are_dropped_and_long_text_cut():
    rows = [["bell\x07 and\x0b tab\tkept", "x" * 40_000, float("nan")]]

    sheet = read(xlsx.xlsx_chunks(name="t", header=["a", "b", "c"], rows=rows)).active

    assert sheet["A2"].value == "bell and tab\tkept"
    assert len(sheet["B2"].value) == 32_767
    assert sheet["C2"].value == "nan"


def test_a_long_export_continues_on_further_sheets(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    rows = [[n] for n in range(5)]

    book = read(xlsx.xlsx_chunks(name="findings", header=["n"], rows=rows))

    assert book.sheetnames == ["findings", "findings 2", "findings 3"]
    assert [[c for (c,) in s.iter_rows(values_only=True)] for s in book.worksheets] == [
        ["n", 0, 1],
        ["n", 2, 3],
        ["n", 4],
    ]


def test_an_export_of_exactly_one_full_sheet_makes_one_sheet(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)

    book = read(xlsx.xlsx_chunks(name="s", header=["n"], rows=[[1], [2]]))

    assert book.sheetnames == ["s"]


def test_bytes_leave_before_the_last_row_is_read():
    consumed = []

    def rows():
        for n in range(5 * xlsx.FLUSH_ROWS):
            consumed.append(n)
            yield [n, f"row {n}"]

    chunks = xlsx.xlsx_chunks(name="v", header=["n", "text"], rows=rows())
    first = next(chunks)

    assert first.startswith(b"PK")
    assert len(consumed) <= xlsx.FLUSH_ROWS + 1
    rest = b"".join(chunks)
    assert read([first, rest]).active.max_row == 5 * xlsx.FLUSH_ROWS + 1


def test_date_times_and_dates_are_excel_dates_and_columns_are_sized():
    arrived = dt.datetime(2022, 11, 20, 10, 5, 30)
    rows = [[7, arrived, dt.date(2022, 11, 20), True, "Школа № 5 имени Абая, Медеуский район"]]
    header = ["visit_id", "arrived_at (Asia/Almaty)", "day", "urban", "station_name"]

    sheet = read(xlsx.xlsx_chunks(name="visits", header=header, rows=rows)).active

    assert [cell.value for cell in sheet[2]] == [
        7,
        arrived,
        dt.datetime(2022, 11, 20),
        True,
        rows[0][4],
    ]
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].data_type == "b"
    # The header row stays in view, and every column is as wide as its widest text.
    assert sheet.freeze_panes == "A2"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}
    assert widths["B"] >= len(header[1]) and widths["E"] >= len(rows[0][4])
    assert widths["A"] < widths["B"] and widths["D"] < widths["E"]
