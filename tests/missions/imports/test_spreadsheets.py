"""F3: a spreadsheet that would tie a web worker up is refused before it is parsed: an XLSX that
unpacks to too much (a zip bomb) or declares or holds more than IMPORT_MAX_ROWS rows, and a
CSV of more rows than that."""

import io
import re
import time
import zipfile

import pytest
from django.test import override_settings

from missions.models import PollingStation
from tests.missions.uploads import csv_upload, raw_upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "region", "district", "registered_voters"]


def post(client, mission, upload):
    return client.post(
        f"/api/v1/missions/{mission.pk}/stations/import/", {"file": upload}, format="multipart"
    )


def _rewrite(content: bytes, change) -> bytes:
    """The workbook with each part passed through ``change(name, data) -> data``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def test_a_workbook_declaring_a_million_rows_is_refused_at_once(api, coordinator, mission):
    small = xlsx_bytes([HEADER, ["1", "School", "R", "D", 100]])

    def declare_a_million(name, data):
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:E1000000"', data)
        return data

    started = time.monotonic()
    response = post(
        api.as_user(coordinator),
        mission,
        raw_upload(_rewrite(small, declare_a_million), name="s.xlsx"),
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert "more than 100,000 rows" in str(response.json()["errors"])
    assert elapsed < 5
    assert not PollingStation.objects.exists()


@override_settings(IMPORT_MAX_ROWS=50)
def test_a_workbook_holding_more_rows_than_it_declares_is_refused(api, coordinator, mission):
    rows = [HEADER] + [[f"S{n}", "School", "R", "D", 100] for n in range(60)]

    def declare_two(name, data):
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data)
        return data

    content = _rewrite(xlsx_bytes(rows), declare_two)
    response = post(api.as_user(coordinator), mission, raw_upload(content, name="s.xlsx"))

    assert response.status_code == 400
    assert "more than 50 rows" in str(response.json()["errors"])


@override_settings(IMPORT_MAX_UNPACKED_BYTES=1024 * 1024)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(api, coordinator, mission):
    buffer = io.BytesIO(xlsx_bytes([HEADER, ["1", "School", "R", "D", 100]]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("xl/padding.xml", b" " * (2 * 1024 * 1024))  # 2 MB of spaces
    content = buffer.getvalue()
    response = post(api.as_user(coordinator), mission, raw_upload(content, name="s.xlsx"))

    assert len(content) < 100_000
    assert response.status_code == 400
    assert "unpacks to more than 1 MB" in str(response.json()["errors"])


@override_settings(IMPORT_MAX_ROWS=50)
def test_a_csv_of_too_many_rows_is_refused(api, coordinator, mission):
    rows = [HEADER] + [[f"S{n}", "School", "R", "D", 100] for n in range(51)]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    assert "more than 50 rows" in str(response.json()["errors"])
    assert not PollingStation.objects.exists()


@override_settings(IMPORT_MAX_ROWS=50)
def test_a_file_of_exactly_the_limit_is_imported(api, coordinator, mission):
    rows = [HEADER] + [[f"S{n}", "School", "R", "D", 100] for n in range(50)]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 50
