"""POST /api/v1/missions/{id}/observers/import/ (API.md) and the service behind it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.imports import observers_import
from missions.models import AuditEvent, Membership, Observer, Organisation, Team
from tests.missions.factories import MembershipFactory, UserFactory
from tests.missions.uploads import OBSERVER_HEADER, csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db
User = get_user_model()

ROWS = [
    OBSERVER_HEADER + ["email", "phone", "languages"],
    [
        "anna.novak",
        "Anna Novak",
        "OSCE/ODIHR",
        "cz",
        "sto",
        "T101",
        "anna@example.org",
        "",
        "en, ru",
    ],
    [
        "ivan",
        "Иван Петров",
        "CIS Observer Mission",
        "RU",
        "LTO",
        "T101",
        "",
        "8 (701) 123-45-67",
        "ru",
    ],
    ["aigerim", "Әйгерім Сәрсенова", "OSCE/ODIHR", "KZ", "CORE", "", "", "", "kk, ru"],
]


def url(mission):
    return f"/api/v1/missions/{mission.pk}/observers/import/"


def post(client, mission, upload, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(url(mission) + query, {"file": upload}, format="multipart")


def test_import_creates_accounts_observers_organisations_teams_and_memberships(
    api, coordinator, mission
):
    response = post(api.as_user(coordinator), mission, csv_upload(ROWS, delimiter=";", bom=True))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 3
    assert body["also_created"] == {"users": 3, "organisations": 2, "teams": 1}
    ivan = Observer.objects.select_related("user", "organisation", "team").get(
        mission=mission, user__username="ivan"
    )
    assert ivan.full_name == "Иван Петров"
    assert (ivan.nationality, ivan.role, ivan.team.code) == ("RU", "LTO", "T101")
    assert ivan.organisation.name == "CIS Observer Mission"
    assert ivan.phone == "+77011234567" and ivan.languages == "ru"
    assert Observer.objects.get(user__username="aigerim").full_name == "Әйгерім Сәрсенова"
    assert Observer.objects.get(user__username="aigerim").team is None
    anna = Observer.objects.get(user__username="anna.novak")
    assert (anna.nationality, anna.role, anna.email) == ("CZ", "STO", "anna@example.org")
    assert set(
        Membership.objects.filter(mission=mission, role="OBSERVER").values_list(
            "user__username", flat=True
        )
    ) == {"anna.novak", "ivan", "aigerim"}


def test_new_accounts_cannot_log_in_until_a_password_or_token_is_set(api, coordinator, mission):
    post(api.as_user(coordinator), mission, csv_upload(ROWS))

    user = User.objects.get(username="ivan")
    assert not user.has_usable_password()
    response = api.post("/api/v1/auth/token/", {"username": "ivan", "password": ""})
    assert response.status_code == 400


def test_imported_observers_appear_in_the_observer_list(api, coordinator, mission):
    client = api.as_user(coordinator)
    post(client, mission, csv_upload(ROWS))

    response = client.get(f"/api/v1/missions/{mission.pk}/observers/")

    rows = {r["username"]: r for r in response.json()["results"]}
    assert rows["ivan"]["organisation"] == "CIS Observer Mission"
    assert rows["ivan"]["team"] == "T101"
    assert rows["aigerim"]["team"] is None


def test_xlsx_import(api, coordinator, mission):
    rows = [
        ["Username", "Full Name", "Organisation", "Nationality", "Role", "Team"],
        ["lars", "Lars Berg", "PACE", "SE", "STO", 7],
    ]

    response = post(api.as_user(coordinator), mission, xlsx_upload(rows))

    assert response.status_code == 200, response.json()
    assert Observer.objects.get(user__username="lars").team.code == "7"


def test_reimport_updates_by_username(api, coordinator, mission):
    client = api.as_user(coordinator)
    post(client, mission, csv_upload(ROWS))
    again = [
        OBSERVER_HEADER,
        ["anna.novak", "Anna Novak", "OSCE/ODIHR", "CZ", "STO", "T102"],
        ["ivan", "Иван Петров", "CIS Observer Mission", "RU", "LTO", "T101"],
    ]

    response = post(client, mission, csv_upload(again))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, 1)
    assert Observer.objects.get(user__username="anna.novak").team.code == "T102"
    # Columns left out keep their values.
    assert Observer.objects.get(user__username="anna.novak").email == "anna@example.org"
    assert Observer.objects.filter(mission=mission).count() == 3
    assert Organisation.objects.filter(mission=mission).count() == 2


def test_existing_organisations_and_teams_are_reused_whatever_the_case(
    api, coordinator, mission, observer
):
    rows = [OBSERVER_HEADER, ["new1", "New One", "osce/odihr", "DE", "STO", "t001"]]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.json()["also_created"] == {"users": 1, "organisations": 0, "teams": 0}
    new = Observer.objects.get(user__username="new1")
    assert new.team_id == observer.team_id and new.organisation_id == observer.organisation_id


def test_error_unknown_nationality_and_role(api, coordinator, mission):
    rows = [
        OBSERVER_HEADER,
        ["a", "A", "PACE", "XX", "STO", "T1"],
        ["b", "B", "PACE", "DE", "OBSERVER", "T1"],
        ["c", "C", "PACE", "Germany", "sto", "T1"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "field": "nationality",
            "message": 'Unknown nationality "XX": use an ISO 3166-1 alpha-2 country code '
            "such as DE or KZ.",
        },
        {
            "row": 3,
            "field": "role",
            "message": 'Unknown role "OBSERVER": use one of STO, LTO, CORE.',
        },
        {
            "row": 4,
            "field": "nationality",
            "message": 'Unknown nationality "GERMANY": use an ISO 3166-1 alpha-2 country code '
            "such as DE or KZ.",
        },
    ]
    assert not Observer.objects.exists()
    assert not User.objects.filter(username__in=["a", "b", "c"]).exists()
    assert not Team.objects.filter(mission=mission).exists()


def test_error_duplicate_username_bad_username_and_bad_email(api, coordinator, mission):
    rows = [
        OBSERVER_HEADER + ["email"],
        ["anna", "Anna", "PACE", "DE", "STO", "T1", ""],
        ["bad name", "B", "PACE", "DE", "STO", "T1", ""],
        ["Anna", "Anna again", "PACE", "DE", "STO", "T1", ""],
        ["dora", "Dora", "PACE", "DE", "STO", "T1", "not-an-email"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (3, "username"),
        (4, "username"),
        (5, "email"),
    ]
    assert "appears twice in the file (rows 2 and 4)" in response.json()["errors"][1]["message"]
    assert not Observer.objects.exists()


def test_error_missing_column(api, coordinator, mission):
    rows = [
        ["username", "full_name", "organisation", "nationality", "team"],
        ["a", "A", "P", "DE", "T"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "role")]


def test_an_account_with_a_role_elsewhere_cannot_be_taken_over(
    api, coordinator, mission, other_mission_coordinator, staff_user
):
    rows = [
        OBSERVER_HEADER,
        ["other_coordinator", "X", "PACE", "DE", "STO", "T1"],
        ["staff", "Y", "PACE", "DE", "STO", "T1"],
        ["coordinator", "Z", "PACE", "DE", "STO", "T1"],
    ]

    response = post(api.as_user(coordinator), mission, csv_upload(rows))

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (2, "username"),
        (3, "username"),
        (4, "username"),
    ]
    assert "belongs to an existing account" in response.json()["errors"][0]["message"]
    assert not Observer.objects.filter(mission=mission).exists()


def test_an_account_with_no_role_anywhere_is_reused(api, coordinator, mission):
    loner = UserFactory(username="loner")

    response = post(
        api.as_user(coordinator),
        mission,
        csv_upload([OBSERVER_HEADER, ["loner", "Lone Ranger", "PACE", "US", "STO", "T9"]]),
    )

    assert response.json()["also_created"]["users"] == 0
    assert Observer.objects.get(mission=mission, user=loner).full_name == "Lone Ranger"
    assert Membership.objects.get(mission=mission, user=loner).role == "OBSERVER"
    assert loner.has_usable_password()  # their own password is untouched


def test_dry_run_writes_nothing(api, coordinator, mission):
    response = post(api.as_user(coordinator), mission, csv_upload(ROWS), dry_run="true")

    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert not User.objects.filter(username="ivan").exists()
    assert not Observer.objects.exists()


def test_an_import_writes_one_audit_event(api, coordinator, mission):
    post(api.as_user(coordinator), mission, csv_upload(ROWS, name="accreditation.csv"))

    event = AuditEvent.objects.get(mission=mission, action="observers.import")
    assert event.actor == coordinator
    assert event.after["created"] == 3 and event.after["users_created"] == 3
    assert event.after["file"] == "accreditation.csv"


@pytest.mark.parametrize(
    "persona, expected",
    [("analyst", 403), ("press", 404), ("outsider", 404), ("other_mission_coordinator", 404)],
)
def test_only_coordinators_import_observers(api, request, mission, persona, expected):
    user = request.getfixturevalue(persona)

    response = post(api.as_user(user), mission, csv_upload(ROWS))

    assert response.status_code == expected
    assert not User.objects.filter(username="ivan").exists()


def test_observers_cannot_import_observers(api, observer, mission):
    assert post(api.as_user(observer.user), mission, csv_upload(ROWS)).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_rows(coordinator, mission):
    MembershipFactory(mission=mission, role="ANALYST")

    def queries_for(count):
        rows = [OBSERVER_HEADER] + [
            [
                f"u{count}-{n}",
                f"Name {n}",
                f"Org {count}-{n % 3}",
                "DE",
                "STO",
                f"T{count}-{n // 2}",
            ]
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = observers_import(mission=mission, file=csv_upload(rows), actor=coordinator)
        assert result.ok and result.created == count
        return len(queries)

    assert queries_for(4) == queries_for(90)
