"""Review from the dashboard: the queue, verify/reject, confirm/dismiss, and what it changes."""

import re

import pytest
from django.test import Client

from missions.models import AuditEvent
from observation.models import VisitRevision
from reports.aggregates import selectors
from tests.reports.dashboard_data import EVIL, build_election, key_figure, login
from tests.reports.factories import VisitFactory, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(mission):
    return build_election(mission)


@pytest.fixture
def act(client, coordinator, election, django_capture_on_commit_callbacks):
    """POST as the coordinator; the aggregate update runs when the request commits."""
    login(client, coordinator)

    def post(path, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/missions/{election.mission.pk}{path}", data)

    return post


def national_coverage(mission):
    (row,) = selectors.coverage_rows(mission=mission, level="national")
    return row


def queue_ids(html):
    return [int(i) for i in re.findall(r'<li class="card queue-item" data-visit="(\d+)"', html)]


def test_the_queue_lists_flagged_visits_oldest_first_with_their_reasons(
    client, coordinator, election
):
    newer = VisitFactory(
        station=election.stations[0],
        observer=election.observers[1],
        status="FLAGGED",
        flags=[{"code": "TEAM_IN_TWO_PLACES", "message": "Team seen elsewhere."}],
    )
    login(client, coordinator)

    html = client.get(f"/missions/{election.mission.pk}/review/").content.decode()

    assert queue_ids(html) == [election.visits[-1].pk, newer.pk]
    assert "VOTERS_ABOVE_REGISTERED" in html and "Team seen elsewhere." in html
    assert "Too many &lt;script&gt;" in html and EVIL not in html
    assert "2 flagged visits" in html


def test_the_queue_is_paginated(client, coordinator, election):
    for _ in range(30):
        VisitFactory(station=election.stations[0], observer=election.observers[0], status="FLAGGED")
    login(client, coordinator)

    first = client.get(f"/missions/{election.mission.pk}/review/").content.decode()
    second = client.get(f"/missions/{election.mission.pk}/review/?page=2").content.decode()

    assert len(queue_ids(first)) == 25 and len(queue_ids(second)) == 6
    assert not set(queue_ids(first)) & set(queue_ids(second))


def test_rejecting_a_visit_takes_it_out_of_the_aggregates_and_the_queue(
    act, client, coordinator, election
):
    visit = election.visits[-1]
    mission = election.mission
    before = national_coverage(mission)
    turnout_before = selectors.turnout_rows(mission=mission, level="national")

    response = act(
        f"/visits/{visit.pk}/review/",
        {
            "status": "REJECTED",
            "reason": "Count impossible",
            "next": f"/missions/{mission.pk}/review/",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/missions/{mission.pk}/review/"
    visit.refresh_from_db()
    assert visit.status == "REJECTED" and visit.review_reason == "Count impossible"
    after = national_coverage(mission)
    assert after["visits"] == before["visits"] - 1
    turnout_after = selectors.turnout_rows(mission=mission, level="national")
    assert (
        sum(r["voters"] for r in turnout_after)
        == sum(r["voters"] for r in turnout_before) - visit.voters_so_far
    )
    event = AuditEvent.objects.get(action="visit.review", object_id=str(visit.pk))
    assert event.actor == coordinator and event.reason == "Count impossible"
    assert VisitRevision.objects.filter(visit=visit, reason="Count impossible").exists()
    dashboard = client.get(f"/missions/{mission.pk}/dashboard/")
    assert key_figure(dashboard, "visits") == str(before["visits"] - 1)
    assert key_figure(dashboard, "flagged") == "0"
    assert queue_ids(client.get(f"/missions/{mission.pk}/review/").content.decode()) == []
    history = client.get(f"/missions/{mission.pk}/visits/{visit.pk}/").content.decode()
    assert "Count impossible" in history and "visit.review" in history


def test_verifying_a_visit_keeps_it_counted(act, election):
    visit = election.visits[-1]
    before = national_coverage(election.mission)

    act(f"/visits/{visit.pk}/review/", {"status": "VERIFIED", "reason": "Checked by phone"})

    visit.refresh_from_db()
    assert visit.status == "VERIFIED"
    assert national_coverage(election.mission)["visits"] == before["visits"]


def test_a_review_without_a_reason_changes_nothing(act, client, election):
    visit = election.visits[-1]

    response = act(f"/visits/{visit.pk}/review/", {"status": "REJECTED", "reason": ""})

    visit.refresh_from_db()
    assert visit.status == "FLAGGED"
    page = client.get(response["Location"]).content.decode()
    assert "Give a reason" in page


def test_dismissing_a_finding_takes_it_out_of_the_counts_and_the_feed(act, client, election):
    finding = next(f for f in election.findings if f.severity == "CRITICAL")
    mission = election.mission

    def critical():
        return sum(
            r["count"]
            for r in selectors.finding_rows(mission=mission, level="national")
            if r["severity"] == "CRITICAL"
        )

    before = critical()

    act(f"/findings/{finding.pk}/review/", {"status": "DISMISSED", "reason": "Not a violation"})

    finding.refresh_from_db()
    assert finding.review_status == "DISMISSED"
    assert critical() == before - 1
    feed = client.get(f"/missions/{mission.pk}/dashboard/feed/").content.decode()
    assert f'data-finding="{finding.pk}"' not in feed
    assert AuditEvent.objects.filter(action="finding.review", object_id=str(finding.pk)).exists()


def test_confirming_a_finding_shows_in_the_feed(act, client, election):
    finding = next(f for f in election.findings if f.severity == "SERIOUS")

    act(f"/findings/{finding.pk}/review/", {"status": "CONFIRMED", "reason": "Photo checked"})

    feed = client.get(f"/missions/{election.mission.pk}/dashboard/feed/").content.decode()
    item = re.search(rf'data-finding="{finding.pk}">(.*?)</li>', feed, re.S).group(1)
    assert "Confirmed" in item


def test_review_redirects_only_within_the_mission(act, election):
    visit = election.visits[-1]

    response = act(
        f"/visits/{visit.pk}/review/",
        {"status": "VERIFIED", "reason": "ok", "next": "https://evil.example/"},
    )

    assert response["Location"] == f"/missions/{election.mission.pk}/visits/{visit.pk}/"


def test_review_needs_the_csrf_token(coordinator, election):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    visit = election.visits[-1]

    response = client.post(
        f"/missions/{election.mission.pk}/visits/{visit.pk}/review/",
        {"status": "REJECTED", "reason": "x"},
    )

    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == "FLAGGED"


def test_review_forms_carry_the_csrf_token(client, coordinator, election):
    login(client, coordinator)

    html = client.get(f"/missions/{election.mission.pk}/review/").content.decode()

    form = re.search(
        r'<form method="post" action="[^"]*/review/" class="review">(.*?)</form>', html, re.S
    )
    assert form and 'name="csrfmiddlewaretoken"' in form.group(1)


def test_the_queue_filters_by_region(client, coordinator, election):
    flagged = election.visits[-1]
    elsewhere = VisitFactory(
        station=election.stations[0],
        observer=election.observers[0],
        status="FLAGGED",
        arrived_at=local(12),
    )
    assert elsewhere.station.region != flagged.station.region
    login(client, coordinator)
    url = f"/missions/{election.mission.pk}/review/"

    everything = client.get(url).content.decode()
    narrowed = client.get(f"{url}?region={flagged.station.region_id}").content.decode()

    assert queue_ids(everything) == [flagged.pk, elsewhere.pk]
    assert queue_ids(narrowed) == [flagged.pk]
