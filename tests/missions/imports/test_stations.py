"""POST /api/v1/missions/{id}/stations/import/ (API.md) and the service behind it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.imports import stations_import
from missions.models import Area, AreaLevel, AuditEvent, PollingStation
from tests.missions.uploads import (
    STATION_HEADER,
    csv_upload,
    raw_upload,
    xlsx_bytes,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db

KAZAKH_ROWS = [
    STATION_HEADER + ["latitude", "longitude", "urban", "abroad"],
    [
        "001",
        "Мектеп-лицей № 12",
        "Алматы облысы",
        "Қарасай ауданы",
        "1 250",
        "43,25",
        "76,9",
        "да",
        "",
    ],
    ["002", "Ауылдық клуб", "Алматы облысы", "Қарасай ауданы", "430", "", "", "нет", "нет"],
    ["003", "Школа № 5", "Астана", "Есиль", "2100", "51.128", "71.43", "yes", "no"],
]


def url(mission):
    return f"/api/v1/missions/{mission.pk}/stations/import/"


def post(client, mission, upload, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(url(mission) + query, {"file": upload}, format="multipart")


def test_csv_with_bom_and_semicolons_keeps_cyrillic_and_kazakh_names(api, coordinator, mission):
    upload = csv_upload(KAZAKH_ROWS, delimiter=";", bom=True)

    response = post(api.as_user(coordinator), mission, upload)

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 3
    assert response.json()["updated"] == 0
    assert response.json()["errors"] == []
    school = PollingStation.objects.get(mission=mission, code="001")
    assert school.name == "Мектеп-лицей № 12"
    assert school.registered_voters == 1250
    assert school.latitude == Decimal("43.25") and school.longitude == Decimal("76.9")
    assert school.urban is True and school.abroad is False
    assert school.region.name == "Алматы облысы"
    assert school.district.name == "Қарасай ауданы"
    club = PollingStation.objects.get(mission=mission, code="002")
    assert club.latitude is None and club.urban is False


def test_regions_and_districts_are_created_once_as_a_two_level_tree(api, coordinator, mission):
    post(api.as_user(coordinator), mission, csv_upload(KAZAKH_ROWS, delimiter=";", bom=True))

    regions = Area.objects.filter(mission=mission, level=AreaLevel.REGION)
    districts = Area.objects.filter(mission=mission, level=AreaLevel.DISTRICT)
    assert sorted((r.name, r.depth, r.parent_id) for r in regions) == [
        ("Алматы облысы", 1, None),
        ("Астана", 1, None),
    ]
    assert sorted((d.name, d.depth, d.parent.name) for d in districts) == [
        ("Есиль", 2, "Астана"),
        ("Қарасай ауданы", 2, "Алматы облысы"),
    ]
    station = PollingStation.objects.get(mission=mission, code="003")
    assert station.area_id == station.district_id


def test_xlsx_first_sheet_with_headers_in_any_case(api, coordinator, mission):
    rows = [
        ["Code", "NAME", "Region", "District", "Registered Voters", "Urban"],
        [101, "Школа № 1", "Абай", "Семей", 1800, True],
        ["102", "Клуб", "Абай", "Аягөз", 640.0, False],
    ]

    response = post(api.as_user(coordinator), mission, xlsx_upload(rows))

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    stations = {s.code: s for s in PollingStation.objects.filter(mission=mission)}
    assert set(stations) == {"101", "102"}
    assert stations["101"].registered_voters == 1800 and stations["101"].urban is True
    assert stations["102"].district.name == "Аягөз"


def test_reimport_updates_by_code_and_creates_the_new_ones(api, coordinator, mission):
    client = api.as_user(coordinator)
    post(client, mission, csv_upload(KAZAKH_ROWS))
    changed = [
        STATION_HEADER,
        ["001", "Мектеп-лицей № 12", "Алматы облысы", "Қарасай ауданы", "1300"],
        ["002", "Ауылдық клуб", "Алматы облысы", "Қарасай ауданы", "430"],
        ["004", "New school", "Астана", "Сарыарка", "900"],
    ]

    response = post(client, mission, csv_upload(changed))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 1)
    assert PollingStation.objects.get(mission=mission, code="001").registered_voters == 1300
    # Columns the second file leaves out keep their values.
    assert PollingStation.objects.get(mission=mission, code="001").urban is True
    assert PollingStation.objects.filter(mission=mission).count() == 4
    assert Area.objects.filter(mission=mission, name="Алматы облысы").count() == 1
    assert Area.objects.filter(mission=mission, level=AreaLevel.DISTRICT).count() == 3


def test_reimport_moves_a_station_to_another_district(api, coordinator, mission):
    client = api.as_user(coordinator)
    post(client, mission, csv_upload(KAZAKH_ROWS))
    moved = [STATION_HEADER, ["003", "Школа № 5", "Астана", "Алматы ауданы", "2100"]]

    response = post(client, mission, csv_upload(moved))

    assert response.json()["updated"] == 1
    station = PollingStation.objects.get(mission=mission, code="003")
    assert station.district.name == "Алматы ауданы"
    assert station.area_id == station.district_id
    assert station.region.name == "Астана"


def test_existing_areas_are_matched_by_name_or_code(api, coordinator, station):
    mission = station.mission
    rows = [
        STATION_HEADER,
        ["N1", "By names", station.region.name.upper(), station.district.name, "10"],
        ["N2", "By codes", station.region.code, station.district.code, "20"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 200, response.json()
    assert response.json()["also_created"] == {"areas": 0}
    for code in ("N1", "N2"):
        new = PollingStation.objects.get(mission=mission, code=code)
        assert (new.region_id, new.district_id) == (station.region_id, station.district_id)


def test_an_empty_district_puts_the_station_in_its_region(api, coordinator, mission):
    rows = [STATION_HEADER, ["A1", "Embassy", "Abroad", "", "300"]]

    post(api.as_user(coordinator), mission, csv_upload(rows))

    station = PollingStation.objects.get(mission=mission, code="A1")
    assert station.district is None and station.area_id == station.region_id


def test_dry_run_counts_but_writes_nothing(api, coordinator, mission):
    response = post(api.as_user(coordinator), mission, csv_upload(KAZAKH_ROWS), dry_run=1)

    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert response.json()["dry_run"] is True
    assert not PollingStation.objects.filter(mission=mission).exists()
    assert not Area.objects.filter(mission=mission).exists()
    assert not AuditEvent.objects.filter(action="stations.import").exists()


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(api, coordinator, mission):
    rows = [
        STATION_HEADER,
        ["001", "Good", "R", "D", "100"],
        ["002", "Bad number", "R", "D", "many"],
        ["003", "Good too", "New region", "D", "100"],
        ["004", "Negative", "R", "D", "-5"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    body = response.json()
    assert (body["created"], body["updated"]) == (0, 0)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "registered_voters"),
        (5, "registered_voters"),
    ]
    assert not PollingStation.objects.filter(mission=mission).exists()
    assert not Area.objects.filter(mission=mission).exists()


def test_dry_run_with_errors_is_a_400_too(api, coordinator, mission):
    rows = [STATION_HEADER, ["001", "x", "R", "D", "-1"]]

    response = post(api.as_user(coordinator), mission, csv_upload(rows), dry_run=1)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "registered_voters"


def _message_for(api, coordinator, mission, upload):
    response = post(api.as_user(coordinator), mission, upload)
    assert response.status_code == 400
    assert not PollingStation.objects.filter(mission=mission).exists()
    return response.json()["errors"]


def test_error_missing_column(api, coordinator, mission):
    rows = [["code", "name", "region", "district"], ["001", "x", "R", "D"]]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors == [
        {
            "row": 1,
            "field": "registered_voters",
            "message": 'Missing required column "registered_voters". The header row must name: '
            "code, name, region, district, registered_voters.",
        }
    ]


def test_error_bad_number(api, coordinator, mission):
    rows = [STATION_HEADER, ["001", "x", "R", "D", "12.5"], ["002", "y", "R", "D", "abc"]]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors == [
        {
            "row": 2,
            "field": "registered_voters",
            "message": 'Expected a whole number, got "12.5".',
        },
        {
            "row": 3,
            "field": "registered_voters",
            "message": 'Expected a whole number, got "abc".',
        },
    ]


def test_error_negative_voters(api, coordinator, mission):
    rows = [STATION_HEADER, ["001", "x", "R", "D", "-20"]]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors == [
        {"row": 2, "field": "registered_voters", "message": "Cannot be negative (got -20)."}
    ]


def test_error_duplicate_code_in_one_file(api, coordinator, mission):
    rows = [
        STATION_HEADER,
        ["001", "x", "R", "D", "1"],
        ["002", "y", "R", "D", "1"],
        ["001", "z", "R", "D", "1"],
    ]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors == [
        {
            "row": 4,
            "field": "code",
            "message": 'The code "001" appears twice in the file (rows 2 and 4).',
        }
    ]


def test_error_empty_values_and_bad_optional_columns(api, coordinator, mission):
    rows = [
        STATION_HEADER + ["latitude", "urban"],
        ["", "x", "", "D", "1", "95", "maybe"],
    ]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert [(e["field"], e["message"]) for e in errors] == [
        ("code", "This column must not be empty."),
        ("region", "This column must not be empty."),
        ("latitude", "Must be between -90 and 90 (got 95)."),
        ("urban", 'Expected yes or no (or true/false, 1/0), got "maybe".'),
    ]


def test_yes_and_no_are_read_in_every_language_the_site_speaks(api, coordinator, mission):
    # Russian and Kazakh are languages of the site: their catalogs' "Yes" and "No", any case.
    rows = [
        STATION_HEADER + ["abroad"],
        ["001", "A", "R", "D", "10", "Да"],
        ["002", "B", "R", "D", "10", "НЕТ"],
        ["003", "C", "R", "D", "10", " иә "],
        ["004", "D", "R", "D", "10", "Жоқ"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 200, response.json()
    abroad = dict(PollingStation.objects.filter(mission=mission).values_list("code", "abroad"))
    assert abroad == {"001": True, "002": False, "003": True, "004": False}


def test_a_yes_in_a_language_the_site_does_not_speak_is_refused(
    api, coordinator, mission, settings
):
    settings.LANGUAGES = [("en", "English"), ("kk", "Қазақша")]
    rows = [STATION_HEADER + ["abroad"], ["001", "A", "R", "D", "10", "да"]]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert [(e["field"], e["message"]) for e in errors] == [
        ("abroad", 'Expected yes or no (or true/false, 1/0), got "да".'),
    ]
    assert not PollingStation.objects.filter(mission=mission).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"\r\n \r\n", "The file is empty."),
        (
            b"code,name,region,district,registered_voters\r\n",
            "The file is empty: it has a header row but no data rows.",
        ),
    ],
)
def test_error_empty_file(api, coordinator, mission, content, message):
    errors = _message_for(api, coordinator, mission, raw_upload(content))

    assert errors == [{"row": None, "field": "file", "message": message}]


def test_error_not_utf8(api, coordinator, mission):
    content = "code,name,region,district,registered_voters\n1,Школа,R,D,5\n".encode("cp1251")

    errors = _message_for(api, coordinator, mission, raw_upload(content))

    assert errors == [
        {
            "row": None,
            "field": "file",
            "message": "The file is not UTF-8 text (the first byte that is not UTF-8 is on line 2)."
            ' Save it as "CSV UTF-8" and upload again.',
        }
    ]


@pytest.mark.parametrize(
    "content, name",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png"),
        (b"PK\x03\x04 this is a zip of something else", "stations.xlsx"),
        (b"just some text", "stations.xlsx"),
    ],
)
def test_error_not_a_spreadsheet(api, coordinator, mission, content, name):
    errors = _message_for(api, coordinator, mission, raw_upload(content, name=name))

    assert len(errors) == 1 and errors[0]["field"] == "file"
    assert "not a spreadsheet" in errors[0]["message"]


def test_error_old_excel_file(api, coordinator, mission):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64

    errors = _message_for(api, coordinator, mission, raw_upload(content, name="s.xls"))

    assert "old Excel .xls file" in errors[0]["message"]


def test_error_over_the_size_limit(api, coordinator, mission, settings):
    settings.IMPORT_MAX_BYTES = 100
    rows = [STATION_HEADER] + [[f"{n:03d}", "School", "R", "D", "100"] for n in range(20)]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors == [
        {
            "row": None,
            "field": "file",
            "message": "The file is larger than the limit of 100 bytes; "
            "split it into smaller files.",
        }
    ]


def test_error_request_body_far_over_the_limit_is_refused_unread(
    api, coordinator, mission, settings
):
    settings.IMPORT_MAX_BYTES = 1000
    rows = [STATION_HEADER] + [[f"{n:05d}", "School " * 20, "R", "D", "1"] for n in range(600)]

    errors = _message_for(api, coordinator, mission, csv_upload(rows))

    assert errors[0]["field"] == "file" and "larger than the limit" in errors[0]["message"]


def test_missing_file_field_is_a_400(api, coordinator, mission):
    response = api.as_user(coordinator).post(url(mission), {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_an_import_writes_one_audit_event_with_its_counts(api, coordinator, mission):
    post(api.as_user(coordinator), mission, csv_upload(KAZAKH_ROWS, name="cec.csv"))

    events = list(AuditEvent.objects.filter(mission=mission, action="stations.import"))
    assert len(events) == 1
    assert events[0].actor == coordinator
    assert events[0].after == {
        "file": "cec.csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "areas_created": 4,
    }


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("analyst", 403),
        ("press", 404),
        ("outsider", 404),
        ("other_mission_coordinator", 404),
    ],
)
def test_only_coordinators_import(api, request, mission, persona, expected):
    user = request.getfixturevalue(persona)

    response = post(api.as_user(user), mission, csv_upload(KAZAKH_ROWS))

    assert response.status_code == expected
    assert not PollingStation.objects.filter(mission=mission).exists()


def test_observers_cannot_import(api, observer, mission):
    response = post(api.as_user(observer.user), mission, csv_upload(KAZAKH_ROWS))

    assert response.status_code == 404


def test_anonymous_import_is_a_401(api, mission):
    assert post(api, mission, csv_upload(KAZAKH_ROWS)).status_code == 401


def test_the_number_of_queries_does_not_grow_with_the_rows(coordinator, mission):
    def queries_for(count):
        rows = [STATION_HEADER] + [
            [f"{count}-{n}", f"School {n}", f"R{count}-{n % 3}", f"District {n % 7}", "100"]
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = stations_import(
                mission=mission, file=csv_upload(rows), actor=coordinator, dry_run=False
            )
        assert result.ok and result.created == count
        return len(queries)

    assert queries_for(5) == queries_for(120)


def test_service_reads_an_xlsx_with_a_leading_blank_row(coordinator, mission):
    content = xlsx_bytes([[], STATION_HEADER, ["X1", "School", "R", "D", 7]])

    result = stations_import(mission=mission, file=raw_upload(content, name="a.xlsx"))

    assert result.ok and result.created == 1
