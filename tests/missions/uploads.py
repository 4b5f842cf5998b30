"""Spreadsheets built in the tests: CSV bytes and XLSX workbooks made with openpyxl."""

import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

STATION_HEADER = ["code", "name", "region", "district", "registered_voters"]
OBSERVER_HEADER = ["username", "full_name", "organisation", "nationality", "role", "team"]


def csv_bytes(rows, *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def csv_upload(rows, *, name="file.csv", delimiter=",", bom=False) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, csv_bytes(rows, delimiter=delimiter, bom=bom), content_type="text/csv"
    )


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, *, name="file.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def raw_upload(content: bytes, *, name="file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
