"""Observer phones in E.164 (missions/phones.py), as the observer import stores them: SMS
reports are matched to their observer by this number."""

import pytest

from missions.models import Observer
from missions.phones import PhoneInvalid, phone_normalise
from tests.missions.factories import MissionFactory, ObserverFactory
from tests.missions.uploads import OBSERVER_HEADER, csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "country", "e164"),
    [
        ("8 (701) 123-45-67", "KZ", "+77011234567"),  # the trunk 8 of Kazakhstan
        ("87011234567", "KZ", "+77011234567"),
        ("+7 701 123 45 67", "KZ", "+77011234567"),
        ("77011234567", "KZ", "+77011234567"),  # the + left out
        ("7011234567", "KZ", "+77011234567"),  # no trunk prefix
        ("8-916-123-45-67", "RU", "+79161234567"),
        ("810 49 30 1234567", "KZ", "+49301234567"),  # Kazakhstan's international prefix
        ("00 49 30 1234567", "KZ", "+49301234567"),
        ("067 123 4567", "UA", "+380671234567"),  # the trunk 0 of Ukraine
        ("030/1234567", "DE", "+49301234567"),
        ("+49 30 1234567", "KZ", "+49301234567"),  # a foreign observer's own number
        ("", "KZ", ""),
    ],
)
def test_numbers_are_written_in_e164_under_the_mission_country_rules(written, country, e164):
    assert phone_normalise(written, country=country) == e164


@pytest.mark.parametrize(
    ("written", "country", "why"),
    [
        ("+7 700 1", "KZ", "not a valid phone number"),  # too short
        ("8 701 123", "KZ", "not a valid phone number"),
        ("phone: 8701", "KZ", "not a phone number"),
        ("+8 701 123 45 67", "KZ", "not a valid phone number"),  # 8 is no country code
        # A German number without its trunk 0 (area code 04952) or +49 5257654: two readings.
        ("495257654", "DE", "can be read as +49495257654 / +495257654"),
    ],
)
def test_invalid_and_ambiguous_numbers_are_refused(written, country, why):
    with pytest.raises(PhoneInvalid) as refused:
        phone_normalise(written, country=country)

    assert why in str(refused.value)


def _rows(*rows):
    return [OBSERVER_HEADER + ["phone"], *rows]


def _row(username, phone):
    return [username, username.title(), "OSCE/ODIHR", "KZ", "STO", "T1", phone]


def import_(api, coordinator, mission, upload):
    return api.as_user(coordinator).post(
        f"/api/v1/missions/{mission.pk}/observers/import/", {"file": upload}, format="multipart"
    )


def test_the_import_stores_phones_in_e164(api, coordinator, mission):
    upload = csv_upload(_rows(_row("anna", "8 (701) 123-45-67"), _row("boris", "+7 702 000 1122")))

    response = import_(api, coordinator, mission, upload)

    assert response.status_code == 200, response.json()
    phones = dict(Observer.objects.filter(mission=mission).values_list("user__username", "phone"))
    assert phones == {"anna": "+77011234567", "boris": "+77020001122"}


def test_a_phone_number_cell_of_a_spreadsheet_is_read_too(api, coordinator, mission):
    upload = xlsx_upload(_rows(_row("anna", 87011234567)))

    response = import_(api, coordinator, mission, upload)

    assert response.status_code == 200, response.json()
    assert Observer.objects.get(user__username="anna").phone == "+77011234567"


def test_a_mission_country_decides_how_a_leading_zero_reads(api, db):
    from tests.missions.factories import MembershipFactory, UserFactory

    mission = MissionFactory(country="UA", timezone="Europe/Kyiv")
    coordinator = MembershipFactory(
        user=UserFactory(username="ua_coordinator"), mission=mission, role="COORDINATOR"
    ).user

    response = import_(api, coordinator, mission, csv_upload(_rows(_row("olena", "067 123 4567"))))

    assert response.status_code == 200, response.json()
    assert Observer.objects.get(user__username="olena").phone == "+380671234567"


def test_bad_and_ambiguous_phones_are_import_errors_and_nothing_is_imported(
    api, coordinator, mission
):
    mission.country = "DE"
    mission.save(update_fields=["country"])
    upload = csv_upload(
        _rows(_row("anna", "+49 30 1234567"), _row("boris", "495257654"), _row("chen", "12"))
    )

    response = import_(api, coordinator, mission, upload)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "phone"), (4, "phone")]
    assert "+49495257654 / +495257654" in errors[0]["message"]
    assert "not a valid phone number" in errors[1]["message"]
    assert not Observer.objects.filter(mission=mission).exists()


def test_two_observers_may_not_share_a_phone(api, coordinator, mission, observer):
    observer.phone = "+77011234567"
    observer.save(update_fields=["phone"])
    upload = csv_upload(
        _rows(
            _row("anna", "87021112233"),
            _row("boris", "+7 702 111 22 33"),  # anna's, written another way
            _row("chen", "8 701 123 45 67"),  # the observer's, who is not in the file
        )
    )

    response = import_(api, coordinator, mission, upload)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "phone"), (4, "phone")]
    assert "appears twice in the file (rows 2 and 3)" in errors[0]["message"]
    assert observer.user.username in errors[1]["message"]


def test_an_observer_re_imported_with_their_own_phone_is_no_conflict(api, coordinator, mission):
    observer = ObserverFactory(mission=mission, phone="+77011234567")
    username = observer.user.username

    response = import_(
        api, coordinator, mission, csv_upload(_rows(_row(username, "8 701 123 45 67")))
    )

    assert response.status_code == 200, response.json()
    observer.refresh_from_db()
    assert observer.phone == "+77011234567"
