"""The mission's audit log: the page /missions/<id>/audit/ and GET /api/v1/missions/{id}/audit/."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils.html import escape

from missions.audit import audit_record
from missions.models import AuditEvent

pytestmark = pytest.mark.django_db


def page_url(mission):
    return f"/missions/{mission.pk}/audit/"


def api_url(mission):
    return f"/api/v1/missions/{mission.pk}/audit/"


def at(mission, day, hour, minute=0):
    return dt.datetime(2022, 11, day, hour, minute, tzinfo=mission.tzinfo)


@pytest.fixture
def events(mission, coordinator, analyst, station, other_mission, other_mission_coordinator):
    """Three events of the mission over two days, and one of another mission."""
    first = audit_record(
        actor=coordinator,
        mission=mission,
        action="membership.create",
        obj=mission,
        after={"username": "nadia", "role": "ANALYST"},
        at=at(mission, 19, 9),
    )
    second = audit_record(
        actor=analyst,
        mission=mission,
        action="stations.import",
        obj=mission,
        after={"created": 3, "updated": 0},
        at=at(mission, 20, 8),
    )
    third = audit_record(
        actor=coordinator,
        mission=mission,
        action="visit.review",
        obj=station,
        before={"status": "FLAGGED", "review_reason": "", "station": "PS1"},
        after={"status": "REJECTED", "review_reason": "Duplicate", "station": "PS1"},
        reason="Duplicate of an earlier report",
        at=at(mission, 20, 11, 30),
    )
    audit_record(
        actor=other_mission_coordinator,
        mission=other_mission,
        action="visit.delete",
        obj=other_mission,
        before={"secret": "theirs"},
        at=at(mission, 20, 12),
    )
    return [first, second, third]


def rows(response) -> list[int]:
    """The event ids the page lists, in order."""
    html = response.content.decode()
    ids, start = [], 0
    while (start := html.find('data-event="', start)) != -1:
        start += len('data-event="')
        ids.append(int(html[start : html.index('"', start)]))
    return ids


# --- The page ------------------------------------------------------------------------------


def test_a_coordinator_sees_who_did_what_when_and_why_newest_first(client, coordinator, events):
    client.force_login(coordinator)

    response = client.get(page_url(events[0].mission))

    assert response.status_code == 200
    assert rows(response) == [events[2].pk, events[1].pk, events[0].pk]
    html = response.content.decode()
    assert f"coordinator rejected visit {events[2].object_id}." in html
    assert "Duplicate of an earlier report" in html
    assert f"Polling station {events[2].object_id}" in html
    assert "analyst imported polling stations (new: 3, updated: 0, unchanged: 0)." in html
    assert "coordinator gave nadia the role Analyst." in html
    assert "Nov. 20, 2022 11:30 (Asia/Almaty)" in html and "Times in Asia/Almaty." in html
    assert "theirs" not in html


def test_the_page_shows_only_the_keys_that_changed(client, coordinator, events):
    client.force_login(coordinator)

    html = client.get(page_url(events[0].mission)).content.decode()

    review = html[html.index(f'data-event="{events[2].pk}"') :]
    review = review[: review.index("</tr>\n")] if "</tr>\n" in review else review
    assert 'data-key="status"' in review and 'data-key="review_reason"' in review
    assert "<del>FLAGGED</del>" in review and "<ins>REJECTED</ins>" in review
    assert 'data-key="station"' not in review  # unchanged, so not shown


def test_free_text_is_escaped(client, coordinator, mission):
    audit_record(
        actor=coordinator,
        mission=mission,
        action="visit.review",
        obj=mission,
        before={"notes": "<script>alert('before')</script>"},
        after={"notes": "<img src=x onerror=alert(1)>"},
        reason="<b>bold</b> & <script>alert('reason')</script>",
    )
    client.force_login(coordinator)

    html = client.get(page_url(mission)).content.decode()

    assert "<script>alert(" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert escape("<script>alert('reason')</script>") in html
    assert escape("<img src=x onerror=alert(1)>") in html


def test_an_analyst_reads_the_log(client, analyst, events):
    client.force_login(analyst)

    assert client.get(page_url(events[0].mission)).status_code == 200


@pytest.mark.parametrize(
    "persona", ["observer", "press", "outsider", "other_mission_coordinator", "other_team_observer"]
)
def test_everyone_else_gets_a_404(client, request, mission, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user if not hasattr(user, "user") else user.user)

    assert client.get(page_url(mission)).status_code == 404


def test_anonymous_users_go_to_the_login_page(client, mission):
    response = client.get(page_url(mission))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=visit.review", [2]),
        ("object_type=missions.mission", [1, 0]),
        ("actor=analyst", [1]),
        ("actor=coordinator&action=membership.create", [0]),
        ("from=2022-11-20", [2, 1]),
        ("to=2022-11-19", [0]),
        ("from=2022-11-20&to=2022-11-20", [2, 1]),
        # 10:00 UTC is after 11:30 in Almaty (UTC+5 or +6, by tzdata version).
        ("from=2022-11-20T10:00:00%2B00:00", []),
        ("action=nothing.like.this", []),
    ],
)
def test_the_page_filters(client, coordinator, events, query, expected):
    client.force_login(coordinator)

    response = client.get(f"{page_url(events[0].mission)}?{query}")

    assert response.status_code == 200
    assert rows(response) == [events[i].pk for i in expected]


def test_a_bad_date_is_shown_as_an_error_and_filters_nothing(client, coordinator, events):
    client.force_login(coordinator)

    response = client.get(f"{page_url(events[0].mission)}?from=yesterday&action=visit.review")

    assert response.status_code == 200
    assert "Give a date" in response.content.decode()
    assert rows(response) == [events[2].pk]


def test_the_filters_offer_what_occurs_in_the_log(client, coordinator, events):
    client.force_login(coordinator)

    html = client.get(page_url(events[0].mission)).content.decode()

    for value in ("visit.review", "stations.import", "missions.mission", "analyst"):
        assert f'<option value="{value}"' in html
    assert '<option value="visit.delete"' not in html  # another mission's


def test_the_page_is_paginated_and_keeps_the_filters(
    client, coordinator, mission, django_assert_max_num_queries
):
    for minute in range(51):
        audit_record(
            actor=coordinator,
            mission=mission,
            action="team.create",
            obj=mission,
            after={"code": f"T{minute}"},
            at=at(mission, 19, 10, minute),
        )
    client.force_login(coordinator)

    with django_assert_max_num_queries(12):
        first = client.get(f"{page_url(mission)}?action=team.create")
    second = client.get(f"{page_url(mission)}?action=team.create&page=2")

    assert len(rows(first)) == 50 and len(rows(second)) == 1
    assert "action=team.create&amp;page=2" in first.content.decode()
    assert "<ins>T0</ins>" not in first.content.decode()  # the oldest is on page 2
    assert "<ins>T0</ins>" in second.content.decode()


def test_coordinators_find_the_log_in_the_mission_navigation(client, coordinator, mission):
    client.force_login(coordinator)

    dashboard = client.get(f"/missions/{mission.pk}/dashboard/").content.decode()
    downloads = client.get(f"/missions/{mission.pk}/downloads/").content.decode()

    # The dashboard links the "Data" section (its first page, the downloads), which lists the log.
    assert f'<a href="/missions/{mission.pk}/downloads/">Data</a>' in dashboard
    assert f'href="{page_url(mission)}"' in downloads


# --- The API -------------------------------------------------------------------------------


def test_the_api_lists_the_events_newest_first_with_their_changes(api, coordinator, events):
    response = api.as_user(coordinator).get(api_url(events[0].mission))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    assert [e["id"] for e in body["results"]] == [events[2].pk, events[1].pk, events[0].pk]
    review = body["results"][0]
    assert review["actor"] == "coordinator"
    assert review["action"] == "visit.review"
    assert review["object_type"] == "missions.pollingstation"
    assert review["object_id"] == events[2].object_id
    assert review["reason"] == "Duplicate of an earlier report"
    assert review["before"]["status"] == "FLAGGED" and review["after"]["status"] == "REJECTED"
    assert review["changes"] == [
        {"key": "status", "before": "FLAGGED", "after": "REJECTED"},
        {"key": "review_reason", "before": "", "after": "Duplicate"},
    ]
    assert dt.datetime.fromisoformat(review["at"]) == at(events[0].mission, 20, 11, 30)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=stations.import", [1]),
        ("object_type=missions.pollingstation", [2]),
        ("actor=coordinator", [2, 0]),
        ("from=2022-11-20&to=2022-11-20", [2, 1]),
        ("to=2022-11-19", [0]),
    ],
)
def test_the_api_filters_like_the_page(api, coordinator, events, query, expected):
    response = api.as_user(coordinator).get(f"{api_url(events[0].mission)}?{query}")

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [events[i].pk for i in expected]


def test_an_exact_time_range_includes_its_ends(api, coordinator, events):
    moment = at(events[0].mission, 20, 8).isoformat()
    query = {"from": moment, "to": moment}

    response = api.as_user(coordinator).get(api_url(events[0].mission), query)

    assert [e["id"] for e in response.json()["results"]] == [events[1].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=garbage", "from"),
        ("to=2022-13-45", "to"),
        ("from=2022-11-20T10:00", "from"),  # a time without an offset
        ("from=2022-11-21&to=2022-11-19", "to"),
        ("to=9999-12-31", "to"),  # the day after it, the filter's end, does not exist
        ("to=9999-12-31T23:59:59.999999%2B00:00", "to"),
    ],
)
def test_the_api_refuses_bad_dates(api, coordinator, events, query, field):
    response = api.as_user(coordinator).get(f"{api_url(events[0].mission)}?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_api_paginates_like_the_other_lists(api, coordinator, events):
    response = api.as_user(coordinator).get(f"{api_url(events[0].mission)}?page_size=2")

    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert "page=2" in body["next"]


def test_the_api_asks_a_bounded_number_of_queries(
    api, coordinator, mission, django_assert_max_num_queries
):
    for _ in range(30):
        audit_record(actor=coordinator, mission=mission, action="x", obj=mission, after={"n": 1})
    client = api.as_user(coordinator)

    with django_assert_max_num_queries(8):
        response = client.get(api_url(mission))

    assert response.json()["count"] == 30


def test_an_analyst_reads_the_api_too(api, analyst, events):
    assert api.as_user(analyst).get(api_url(events[0].mission)).status_code == 200


@pytest.mark.parametrize("persona", ["observer", "press", "outsider", "other_mission_coordinator"])
def test_the_api_hides_the_log_from_everyone_else(api, request, mission, persona):
    user = request.getfixturevalue(persona)

    response = api.as_user(getattr(user, "user", user)).get(api_url(mission))

    assert response.status_code == 404


def test_the_api_wants_credentials(api, mission):
    assert api.get(api_url(mission)).status_code == 401


def test_reading_the_log_writes_nothing(api, coordinator, events):
    before = AuditEvent.objects.count()

    api.as_user(coordinator).get(api_url(events[0].mission))

    assert AuditEvent.objects.count() == before


def test_a_visits_event_links_to_the_visit_unless_it_was_deleted(client, coordinator, mission):
    for action, object_id in (("visit.review", "41"), ("visit.delete", "42")):
        AuditEvent.objects.create(
            mission=mission,
            actor=coordinator,
            action=action,
            object_type="observation.visit",
            object_id=object_id,
            at=at(mission, 20, 12),
        )
    client.force_login(coordinator)

    html = client.get(page_url(mission)).content.decode()

    assert f'href="/missions/{mission.pk}/visits/41/"' in html
    assert f'href="/missions/{mission.pk}/visits/42/"' not in html
