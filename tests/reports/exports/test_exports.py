"""GET /api/v1/missions/{id}/export/<dataset>.<csv|xlsx> (API.md "Exports"), read back."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from missions.models import AuditEvent, PollingStation
from observation.models import Visit
from reports.exports.datasets import guard, question_codes
from tests.missions.factories import StationFactory
from tests.missions.uploads import raw_upload
from tests.reports.factories import FindingFactory, VisitFactory, local

pytestmark = pytest.mark.django_db


def url(mission, name):
    return f"/api/v1/missions/{mission.pk}/export/{name}"


BOM = "\ufeff".encode()


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(BOM)  # so that Excel reads the Cyrillic right
    return list(csv.DictReader(io.StringIO(body[len(BOM) :].decode("utf-8"))))


def xlsx_sheet(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]


def xlsx_values(response) -> list[dict]:
    """The rows of the first sheet with their cells' values as openpyxl reads them (typed)."""
    rows = list(xlsx_sheet(response).iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def xlsx_rows(response) -> list[dict]:
    return [
        {h: ("" if v is None else str(v)) for h, v in row.items()} for row in xlsx_values(response)
    ]


@pytest.fixture
def visits(station, observer, other_team_observer):
    """A voting visit with answers, flags and a finding, and an opening visit."""
    voting = VisitFactory(
        station=station,
        observer=observer,
        arrived_at=local(10, 5),
        departed_at=local(10, 40),
        voters_so_far=312,
        assessment="GOOD",
        status="FLAGGED",
        flags=[{"code": "VOTERS_ABOVE_REGISTERED", "message": "..."}, {"code": "FAST"}],
        answers={"V01": True, "V02": ["POLICE", "SECURITY"], "V07": "QUEUE", "V10": 3},
        notes="Очередь у входа",
    )
    opening = VisitFactory(
        station=station,
        observer=other_team_observer,
        stage="OPENING",
        arrived_at=local(6, 50),
        departed_at=None,
        answers={"O01": False, "O10": '=HYPERLINK("http://evil")'},
    )
    return voting, opening


def test_visits_csv_has_one_row_per_visit_and_one_column_per_question(
    api, coordinator, mission, visits
):
    voting, opening = visits

    rows = csv_rows(api.as_user(coordinator).get(url(mission, "visits.csv")))

    assert [int(r["visit_id"]) for r in rows] == [voting.pk, opening.pk]
    header = list(rows[0])
    assert header[:8] == [
        "visit_id",
        "station_code",
        "station_name",
        "region",
        "district",
        "team",
        "observer",
        "observer_name",
    ]
    codes = question_codes(mission=mission)
    assert header[-len(codes) :] == codes
    assert codes[0] == "O01" and "V13" in codes and "T05" in codes
    first = rows[0]
    assert first["station_code"] == voting.station.code
    assert first["region"] == voting.station.region.name
    assert first["district"] == voting.station.district.name
    assert first["team"] == "T001"
    assert first["observer"] == "observer" and first["observer_name"] == "Olga Observer"
    assert first["stage"] == "VOTING"
    assert first["arrived_at"] == "2022-11-20T10:05:00+06:00"
    assert first["departed_at"] == "2022-11-20T10:40:00+06:00"
    assert first["voters_so_far"] == "312"
    assert first["registered_voters"] == "1000"
    assert first["assessment"] == "GOOD"
    assert first["status"] == "FLAGGED"
    assert first["flags"] == "VOTERS_ABOVE_REGISTERED;FAST"
    assert first["notes"] == "Очередь у входа"
    assert (first["V01"], first["V02"], first["V07"], first["V10"]) == (
        "true",
        "POLICE;SECURITY",
        "QUEUE",
        "3",
    )
    assert first["V03"] == "" and first["O01"] == ""
    second = rows[1]
    assert second["team"] == "T002" and second["stage"] == "OPENING"
    assert second["departed_at"] == "" and second["voters_so_far"] == ""
    assert second["O01"] == "false"


def test_visits_xlsx_holds_the_same_rows_as_numbers_booleans_and_date_times(
    api, analyst, mission, visits
):
    voting, _opening = visits

    rows = xlsx_values(api.as_user(analyst).get(url(mission, "visits.xlsx")))

    assert len(rows) == 2
    first, second = rows
    assert first["visit_id"] == voting.pk
    # Times on the mission's clock, as Excel date-times; the header names the clock.
    assert first["arrived_at (Asia/Almaty)"] == dt.datetime(2022, 11, 20, 10, 5)
    assert first["departed_at (Asia/Almaty)"] == dt.datetime(2022, 11, 20, 10, 40)
    assert second["departed_at (Asia/Almaty)"] is None
    assert (first["voters_so_far"], first["registered_voters"]) == (312, 1000)
    assert (first["V01"], second["O01"], first["V03"]) == (True, False, None)
    assert first["V10"] == 3 and first["V02"] == "POLICE;SECURITY"
    assert first["notes"] == "Очередь у входа"
    assert second["O10"] == '\'=HYPERLINK("http://evil")'


def test_formulas_are_defused_in_csv_and_xlsx(api, coordinator, mission):
    station = StationFactory(
        district__parent__mission=mission, name="=cmd|' /C calc'!A0", code="@SUM(1)"
    )
    VisitFactory(station=station, notes="+1 (555) 0100", answers={"V13": "-2+3"})
    client = api.as_user(coordinator)

    csv_row = csv_rows(client.get(url(mission, "visits.csv")))[0]
    response = client.get(url(mission, "visits.xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = {c.value: c.data_type for c in workbook.worksheets[0][2]}

    assert csv_row["station_name"] == "'=cmd|' /C calc'!A0"
    assert csv_row["station_code"] == "'@SUM(1)"
    assert csv_row["notes"] == "'+1 (555) 0100"
    assert csv_row["V13"] == "'-2+3"
    assert cells["'=cmd|' /C calc'!A0"] == "s"
    assert not any(t == "f" for t in cells.values())


def test_guard_leaves_ordinary_text_alone():
    assert guard("Школа № 5") == "Школа № 5"
    assert guard("") == ""
    assert guard("=1+1") == "'=1+1"


def test_xlsx_drops_characters_a_workbook_cannot_hold(api, coordinator, mission, station):
    VisitFactory(station=station, notes="tab\there, vertical\x0btab, bell\x07")

    rows = xlsx_rows(api.as_user(coordinator).get(url(mission, "visits.xlsx")))

    assert rows[0]["notes"] == "tab\there, verticaltab, bell"


def test_findings_csv_and_xlsx_one_row_per_finding(api, coordinator, mission, visits):
    voting, opening = visits
    first = FindingFactory(
        visit=voting, category="SECRECY", severity="SERIOUS", description="Голосование открыто"
    )
    second = FindingFactory(
        visit=voting, category="CAMPAIGNING", severity="MINOR", review_status="CONFIRMED"
    )
    third = FindingFactory(visit=opening, category="PROCEDURE", severity="CRITICAL")
    client = api.as_user(coordinator)

    arrived = {"arrived_at": "2022-11-20T10:05:00+06:00"}
    for rows in (
        csv_rows(client.get(url(mission, "findings.csv"))),
        [
            {**row, **arrived} if row["arrived_at (Asia/Almaty)"] == "2022-11-20 10:05:00" else row
            for row in xlsx_rows(client.get(url(mission, "findings.xlsx")))
        ],
    ):
        assert [int(r["finding_id"]) for r in rows] == [first.pk, second.pk, third.pk]
        row = rows[0]
        assert row["visit_id"] == str(voting.pk)
        assert row["station_code"] == voting.station.code
        assert row["region"] == voting.station.region.name
        assert row["team"] == "T001"
        assert row["stage"] == "VOTING"
        assert row["arrived_at"] == "2022-11-20T10:05:00+06:00"
        assert (row["category"], row["severity"]) == ("SECRECY", "SERIOUS")
        assert row["description"] == "Голосование открыто"
        assert row["review_status"] == "PENDING"
        assert rows[1]["review_status"] == "CONFIRMED"
        assert rows[2]["team"] == "T002" and rows[2]["severity"] == "CRITICAL"


def test_only_this_missions_visits_are_exported(api, coordinator, mission, visits, foreign_station):
    VisitFactory(station=foreign_station)

    rows = csv_rows(api.as_user(coordinator).get(url(mission, "visits.csv")))

    assert {r["station_code"] for r in rows} == {visits[0].station.code}


def test_stations_export_reimports_unchanged(api, coordinator, mission, station, other_station):
    station.latitude, station.urban = "43.250000", True
    station.save(update_fields=["latitude", "urban"])
    client = api.as_user(coordinator)

    response = client.get(url(mission, "stations.csv"))
    body = b"".join(response.streaming_content)
    again = client.post(
        f"/api/v1/missions/{mission.pk}/stations/import/",
        {"file": raw_upload(body, name="stations.csv")},
        format="multipart",
    )

    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == sorted([station.code, other_station.code])
    by_code = {r["code"]: r for r in rows}
    assert by_code[station.code]["latitude"] == "43.250000"
    assert by_code[station.code]["urban"] == "true"
    assert by_code[other_station.code]["registered_voters"] == "500"
    assert again.status_code == 200, again.json()
    assert (again.json()["unchanged"], again.json()["updated"]) == (2, 0)
    assert PollingStation.objects.filter(mission=mission).count() == 2


def test_stations_xlsx_holds_numbers_and_booleans_and_reimports_unchanged(
    api, coordinator, mission, station, other_station
):
    station.latitude, station.longitude, station.urban = "43.250000", "76.912500", True
    station.save(update_fields=["latitude", "longitude", "urban"])
    client = api.as_user(coordinator)

    body = b"".join(client.get(url(mission, "stations.xlsx")).streaming_content)
    again = client.post(
        f"/api/v1/missions/{mission.pk}/stations/import/",
        {"file": raw_upload(body, name="stations.xlsx")},
        format="multipart",
    )

    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    by_code = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert by_code[station.code]["latitude"] == 43.25
    assert by_code[station.code]["longitude"] == 76.9125
    assert by_code[station.code]["urban"] is True
    assert by_code[station.code]["abroad"] is False
    assert by_code[other_station.code]["registered_voters"] == 500
    assert again.status_code == 200, again.json()
    assert (again.json()["unchanged"], again.json()["updated"]) == (2, 0)


def test_observers_export(api, analyst, mission, observer, other_team_observer):
    rows = xlsx_rows(api.as_user(analyst).get(url(mission, "observers.xlsx")))

    assert [r["username"] for r in rows] == ["observer", "other_observer"]
    assert rows[0]["full_name"] == "Olga Observer"
    assert (rows[0]["organisation"], rows[0]["nationality"], rows[0]["role"]) == (
        "OSCE/ODIHR",
        "DE",
        "STO",
    )
    assert rows[0]["team"] == "T001"


def test_an_empty_export_is_just_the_header(api, coordinator, mission):
    assert csv_rows(api.as_user(coordinator).get(url(mission, "findings.csv"))) == []
    assert xlsx_rows(api.as_user(coordinator).get(url(mission, "findings.xlsx"))) == []


def test_an_accept_header_asking_for_csv_is_not_refused(api, coordinator, mission, visits):
    response = api.as_user(coordinator).get(url(mission, "visits.csv"), HTTP_ACCEPT="text/csv")

    assert len(csv_rows(response)) == 2
    assert "mission-" in response["Content-Disposition"]


def test_downloads_are_audited(api, analyst, mission):
    b"".join(api.as_user(analyst).get(url(mission, "observers.csv")).streaming_content)

    event = AuditEvent.objects.get(action="export.download")
    assert event.actor == analyst
    assert event.after == {"dataset": "observers", "format": "csv"}


def test_the_csv_export_reads_in_a_fixed_number_of_queries(
    api, coordinator, mission, station, observer, django_assert_max_num_queries
):
    for hour in range(8, 18):
        VisitFactory(station=station, observer=observer, arrived_at=local(hour))
    client = api.as_user(coordinator)

    # Authentication, mission, membership, audit row, question codes, the four lookups
    # (stations, teams, observers, checklists) and the visits: 12 for any number of visits.
    with django_assert_max_num_queries(12):
        rows = csv_rows(client.get(url(mission, "visits.csv")))

    assert len(rows) == 10


def test_a_visit_without_team_or_answers_exports_empty_cells(
    api, coordinator, mission, station, observer
):
    VisitFactory(station=station, observer=observer, team=None, answers={}, flags=[])

    (row,) = csv_rows(api.as_user(coordinator).get(url(mission, "visits.csv")))

    assert row["team"] == "" and row["flags"] == "" and row["station_code"] == station.code
    assert {row[code] for code in question_codes(mission=mission)} == {""}


@pytest.mark.parametrize("persona", ["press", "outsider", "other_mission_coordinator"])
@pytest.mark.parametrize("name", ["visits.csv", "findings.xlsx", "observers.csv"])
def test_exports_are_a_404_for_others(api, request, mission, persona, name):
    user = request.getfixturevalue(persona)

    assert api.as_user(user).get(url(mission, name)).status_code == 404


def test_observers_cannot_export(api, observer, mission):
    assert api.as_user(observer.user).get(url(mission, "visits.csv")).status_code == 404


def test_exports_need_credentials(api, mission):
    assert api.get(url(mission, "visits.csv")).status_code == 401


def test_an_unknown_dataset_or_format_is_a_404(api, coordinator, mission):
    client = api.as_user(coordinator)

    assert client.get(url(mission, "secrets.csv")).status_code == 404
    assert client.get(url(mission, "visits.pdf")).status_code == 404


def test_a_download_abandoned_half_way_leaves_the_connection_usable(
    mission, station, observer, monkeypatch
):
    """The next chunk is fetched in a thread while this one is written (PostgreSQL): a client
    that hangs up mid-download must leave no cursor, transaction or fetch behind."""
    from django.db import connection

    from common import streaming
    from reports.exports import datasets as exports

    for hour in range(8, 14):
        VisitFactory(station=station, observer=observer, arrived_at=local(hour))
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 2)
    monkeypatch.setattr(streaming, "CSV_FLUSH_ROWS", 1)
    depth = len(connection.savepoint_ids)
    stream = streaming.csv_chunks(exports.visits_export(mission=mission))

    header, first = next(stream), next(stream)
    stream.close()

    assert header.startswith(BOM + b"visit_id,") and first.count(b"\r\n") == 1
    assert len(connection.savepoint_ids) == depth
    assert Visit.objects.filter(mission=mission).count() == 6


def test_a_station_or_team_that_appears_after_the_lookups_were_read_is_found(mission, station):
    """visits.csv reads the mission's stations and teams before the visits, in an earlier
    snapshot: one created in between is fetched when a visit names it; a team deleted in
    between leaves an empty cell."""
    from missions.models import Team
    from reports.exports.datasets import _Lookup

    def codes(rows):
        return {pk: code for pk, code in rows.values_list("id", "code")}

    stations = _Lookup(codes, PollingStation.objects.filter(mission=mission))
    teams = _Lookup(codes, Team.objects.filter(mission=mission), missing=None)
    late = StationFactory(mission=mission, code="LATE-1")

    assert stations[station.pk] == station.code
    assert stations[late.pk] == "LATE-1"
    assert teams[10**9] is None
    with pytest.raises(KeyError):
        stations[10**9]
