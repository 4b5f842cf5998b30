"""POST /api/v1/missions/{id}/members/ (API.md) and the members page."""

import pytest
from django.contrib.auth import get_user_model

from missions.models import AuditEvent, Membership
from tests.missions.factories import MembershipFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "correct-horse-battery-staple"


def url(mission):
    return f"/api/v1/missions/{mission.pk}/members/"


def test_coordinator_adds_a_new_analyst_who_can_then_log_in(api, coordinator, mission):
    response = api.as_user(coordinator).post(
        url(mission),
        {"username": "nadia", "password": GOOD_PASSWORD, "role": "ANALYST"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "ANALYST"
    token = api.post(
        "/api/v1/auth/token/", {"username": "nadia", "password": GOOD_PASSWORD}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    missions = api.get("/api/v1/missions/").json()["results"]
    assert [(m["id"], m["role"]) for m in missions] == [(mission.pk, "ANALYST")]


def test_the_role_holds_in_this_mission_only(api, coordinator, mission, other_mission):
    api.as_user(coordinator).post(
        url(mission), {"username": "pat", "password": GOOD_PASSWORD, "role": "PRESS"}
    )

    assert list(Membership.objects.filter(user__username="pat").values_list("mission", "role")) == [
        (mission.pk, "PRESS")
    ]


def test_an_existing_account_gets_the_role_and_keeps_its_password(
    api, coordinator, mission, other_mission_coordinator
):
    response = api.as_user(coordinator).post(
        url(mission),
        {"username": "other_coordinator", "password": "something-else-9", "role": "ANALYST"},
        format="json",
    )

    assert response.status_code == 201
    other_mission_coordinator.refresh_from_db()
    assert other_mission_coordinator.check_password("pass-word-123")
    assert Membership.objects.get(user=other_mission_coordinator, mission=mission).role == "ANALYST"


def test_a_weak_password_is_a_400_with_the_validators_messages(api, coordinator, mission):
    response = api.as_user(coordinator).post(
        url(mission), {"username": "weak", "password": "12345", "role": "ANALYST"}, format="json"
    )

    assert response.status_code == 400
    messages = response.json()["password"]
    assert any("too short" in m for m in messages)
    assert any("entirely numeric" in m for m in messages)
    assert not User.objects.filter(username="weak").exists()


def test_a_password_like_the_username_is_refused(api, coordinator, mission):
    response = api.as_user(coordinator).post(
        url(mission),
        {"username": "verylongname", "password": "verylongname1", "role": "ANALYST"},
        format="json",
    )

    assert response.status_code == 400
    assert any("too similar" in m for m in response.json()["password"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "x1", "password": GOOD_PASSWORD, "role": "OBSERVER"}, "role"),
        ({"username": "x1", "password": GOOD_PASSWORD, "role": "BOSS"}, "role"),
        ({"username": "bad name", "password": GOOD_PASSWORD, "role": "PRESS"}, "username"),
        ({"username": "x1", "role": "PRESS"}, "password"),
        ({"password": GOOD_PASSWORD, "role": "PRESS"}, "username"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, coordinator, mission, body, field):
    response = api.as_user(coordinator).post(url(mission), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_an_observer_of_the_mission_cannot_be_made_a_member(api, coordinator, observer, mission):
    response = api.as_user(coordinator).post(
        url(mission), {"username": "observer", "role": "COORDINATOR"}, format="json"
    )

    assert response.status_code == 400
    assert Membership.objects.get(user=observer.user, mission=mission).role == "OBSERVER"


def test_changing_a_members_role(api, coordinator, analyst, mission):
    response = api.as_user(coordinator).post(
        url(mission), {"username": "analyst", "role": "COORDINATOR"}, format="json"
    )

    assert response.status_code == 200
    assert Membership.objects.get(user=analyst, mission=mission).role == "COORDINATOR"
    event = AuditEvent.objects.get(action="membership.update")
    assert (event.before["role"], event.after["role"]) == ("ANALYST", "COORDINATOR")


def test_the_last_coordinator_cannot_step_down(api, coordinator, mission):
    response = api.as_user(coordinator).post(
        url(mission), {"username": "coordinator", "role": "ANALYST"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()
    assert Membership.objects.get(user=coordinator, mission=mission).role == "COORDINATOR"


def test_adding_a_member_is_audited(api, coordinator, mission):
    api.as_user(coordinator).post(
        url(mission), {"username": "nadia", "password": GOOD_PASSWORD, "role": "ANALYST"}
    )

    event = AuditEvent.objects.get(action="membership.create")
    assert event.actor == coordinator and event.mission == mission
    assert event.after == {"username": "nadia", "role": "ANALYST"}
    assert GOOD_PASSWORD not in str(event.after)


@pytest.mark.parametrize(
    "persona, expected",
    [("analyst", 403), ("press", 404), ("outsider", 404), ("other_mission_coordinator", 404)],
)
def test_only_coordinators_add_members(api, request, mission, persona, expected):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).post(
        url(mission), {"username": "sneaky", "password": GOOD_PASSWORD, "role": "COORDINATOR"}
    )

    assert response.status_code == expected
    assert not User.objects.filter(username="sneaky").exists()


def test_observers_cannot_add_members(api, observer, mission):
    response = api.as_user(observer.user).post(
        url(mission), {"username": "sneaky", "password": GOOD_PASSWORD, "role": "COORDINATOR"}
    )

    assert response.status_code == 404


def test_member_list_for_staff(api, analyst, coordinator, mission):
    MembershipFactory(mission=mission, role="PRESS", user__username="pr")

    response = api.as_user(analyst).get(url(mission))

    assert response.status_code == 200
    assert {(m["username"], m["role"]) for m in response.json()["results"]} == {
        ("analyst", "ANALYST"),
        ("coordinator", "COORDINATOR"),
        ("pr", "PRESS"),
    }


def test_member_list_is_a_404_for_press(api, press, mission):
    assert api.as_user(press).get(url(mission)).status_code == 404


# --- Removing a member --------------------------------------------------------------------


def member_url(mission, membership):
    return f"/api/v1/missions/{mission.pk}/members/{membership.pk}/"


def test_a_removed_analyst_no_longer_sees_the_mission(api, coordinator, analyst, mission):
    membership = Membership.objects.get(user=analyst, mission=mission)

    response = api.as_user(coordinator).delete(member_url(mission, membership))

    assert response.status_code == 204
    assert api.as_user(analyst).get(f"/api/v1/missions/{mission.pk}/").status_code == 404
    assert User.objects.filter(username="analyst").exists()  # the account stays
    event = AuditEvent.objects.get(action="membership.delete")
    assert event.actor == coordinator and event.before == {"username": "analyst", "role": "ANALYST"}


def test_the_last_coordinator_stays(api, coordinator, mission):
    membership = Membership.objects.get(user=coordinator, mission=mission)

    response = api.as_user(coordinator).delete(member_url(mission, membership))

    assert response.status_code == 400
    assert "last coordinator" in response.json()["membership"][0]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_coordinator_may_leave_when_another_stays(api, coordinator, mission):
    MembershipFactory(mission=mission, role="COORDINATOR")
    membership = Membership.objects.get(user=coordinator, mission=mission)

    response = api.as_user(coordinator).delete(member_url(mission, membership))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_members_page_offers_removal_to_coordinators_only(
    client, coordinator, analyst, mission
):
    analyst_membership = Membership.objects.get(user=analyst, mission=mission)
    client.force_login(analyst)
    assert 'value="remove"' not in client.get(f"/missions/{mission.pk}/members/").content.decode()
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/members/",
        {"action": "remove", "membership": analyst_membership.pk},
        follow=True,
    )

    assert "analyst is no longer Analyst in this mission." in response.content.decode()
    assert not Membership.objects.filter(pk=analyst_membership.pk).exists()
    assert f'data-member="{analyst_membership.pk}"' not in response.content.decode()


# --- F1 / F7: no account taken over, none revealed ---------------------------------------------


def test_another_missions_observer_account_is_refused(api, coordinator, mission, other_mission):
    from tests.missions.factories import ObserverFactory

    theirs = ObserverFactory(mission=other_mission).user

    response = api.as_user(coordinator).post(
        url(mission),
        {"username": theirs.username, "password": GOOD_PASSWORD, "role": "ANALYST"},
        format="json",
    )

    assert response.status_code == 400
    assert "username" in response.json()
    assert not Membership.objects.filter(user=theirs, mission=mission).exists()


@pytest.mark.parametrize("password", ["", "short", GOOD_PASSWORD])
def test_the_answer_does_not_tell_whether_the_username_exists(
    api, coordinator, mission, other_mission_coordinator, password
):
    client = api.as_user(coordinator)

    def add(username):
        response = client.post(
            url(mission), {"username": username, "password": password, "role": "PRESS"}
        )
        body = response.json()
        return response.status_code, sorted(body), body.get("password")

    existing = add("other_coordinator")
    new = add("nobody_yet")

    assert existing == new
    assert existing[0] == (201 if password == GOOD_PASSWORD else 400)
