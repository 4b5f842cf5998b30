"""``common.parsing``: one way to read a number, a day, a time or a JSON body, and every door
that reads client text refuses the same things with a 400 (or a 404 for an id), never a 500."""

import datetime as dt
import json
import uuid

import pytest
from django.conf import settings
from django.utils import translation

from common.parsing import day, json_loads, moment, object_id, whole_number, yes_no
from observation.models import Checklist, Visit
from tests.observation.conftest import VOTING_ANSWERS

# --- The functions ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["²", "١", "٣٤", "１２", "1_000", "0x1f", "1e3", "", " ", "1.0"])
def test_only_ascii_digits_are_a_number(text):
    assert whole_number(text) is None


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_yes_and_no_are_read_as_every_language_of_the_site_writes_them(code):
    with translation.override(code):
        yes, no = translation.gettext("Yes"), translation.gettext("No")

    assert (yes_no(yes), yes_no(no.upper()), yes_no(f" {yes.lower()} ")) == (True, False, True)


def test_yes_and_no_in_words_numbers_and_marks():
    assert [yes_no(v) for v in ("Да", "нет", "TRUE", "0", "x", "y", "N", "ИӘ", "жоқ")] == [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
    ]
    assert [yes_no(v) for v in ("", "maybe", "2", "да нет")] == [None] * 4


def test_a_yes_is_read_with_or_without_its_accents(settings):
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]

    assert [yes_no(v) for v in ("Sí", "si", "SI", "No")] == [True, True, True, False]


def test_numbers_and_their_bounds():
    assert whole_number(" 42 ") == 42
    assert whole_number("-3") == -3
    assert whole_number(7) == 7
    assert whole_number(True) is None
    assert whole_number("1" * 19) is None  # more than a bigint holds
    assert whole_number("5", minimum=6) is None
    assert object_id("0") is None
    assert object_id("12") == 12


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "2022-02-30", "２０２２-11-20", "2022-11-20T10:00", "x"]
)
def test_days_outside_the_years_or_not_iso_are_refused(text):
    assert day(text) is None


def test_a_day():
    assert day("2022-11-20") == dt.date(2022, 11, 20)


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:00:00-05:00",  # overflows when turned into UTC
        "0001-01-01T01:00:00+06:00",
        "2022-11-20T1٠:05:00+06:00",
        "not a time",
    ],
)
def test_times_outside_the_years_or_not_ascii_are_refused(text):
    assert moment(text) is None


def test_a_time_keeps_its_offset_or_its_absence():
    assert moment("2022-11-20T10:05:00+06:00").utcoffset() == dt.timedelta(hours=6)
    assert moment("2022-11-20T10:05:00Z").utcoffset() == dt.timedelta(0)
    assert moment("2022-11-20T10:05").tzinfo is None


def test_json_nested_too_deep_is_a_value_error_not_a_recursion_error():
    with pytest.raises(ValueError):
        json_loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError):
        json_loads("[" * 65 + "]" * 65)
    assert json_loads('{"a": [[1]]}') == {"a": [[1]]}


# --- The doors --------------------------------------------------------------------------------

DEEP = ("[" * 50_000 + "]" * 50_000).encode()


@pytest.mark.django_db
def test_deeply_nested_json_on_the_anonymous_token_endpoint_is_a_400(client):
    response = client.post("/api/v1/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


@pytest.mark.django_db
def test_deeply_nested_json_in_a_visit_is_a_400(api, observer):
    body = json.dumps({"answers": {"V01": json.loads("[" * 500 + "]" * 500)}})

    response = api.as_user(observer.user).post(
        "/api/v1/visits/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["²", "١"])
def test_a_checklist_version_of_other_digits_is_a_400(api, coordinator, mission, version):
    response = api.as_user(coordinator).get(
        f"/api/v1/missions/{mission.pk}/checklists/", {"version": version}
    )

    assert response.status_code == 400
    assert "version" in response.json()


@pytest.fixture
def visit(station, mission):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)

    def make(**overrides):
        return {
            "client_uuid": str(uuid.uuid4()),
            "station": station.pk,
            "checklist": checklist.pk,
            "arrived_at": "2022-11-20T10:05:00+06:00",
            "departed_at": "2022-11-20T10:40:00+06:00",
            "answers": dict(VOTING_ANSWERS),
            **overrides,
        }

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"voters_so_far": "²"},
        {"voters_so_far": "١"},
        {"arrived_at": "9999-12-31T23:00:00-05:00"},
        {"departed_at": "0001-01-01T01:00:00+06:00"},
        {"station": "²"},
    ],
    ids=["superscript", "arabic-indic", "year-9999", "year-0001", "station-superscript"],
)
def test_a_visit_with_unreadable_numbers_or_times_is_a_400(api, observer, visit, overrides):
    response = api.as_user(observer.user).post("/api/v1/visits/", visit(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) & set(overrides)
    assert not Visit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("members", {"action": "remove", "membership": "²"}),
        ("teams", {"action": "unassign", "observer": "²"}),
        ("teams", {"action": "undeploy", "deployment": "١"}),
        ("official-turnout", {"delete": "²"}),
        ("candidates", {"action": "update", "candidate": "²"}),
        ("candidates", {"action": "delete", "candidate": "١"}),
    ],
)
def test_a_form_naming_an_object_in_other_digits_is_a_404(client, coordinator, mission, page, data):
    client.force_login(coordinator)

    response = client.post(f"/missions/{mission.pk}/{page}/", data)

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "²⁰²²-11-20", "tomorrow"])
def test_an_unreadable_day_on_the_deployment_page_is_a_400(client, coordinator, mission, value):
    client.force_login(coordinator)

    response = client.get(f"/missions/{mission.pk}/deployment/", {"day": value})

    assert response.status_code == 400
