"""The press pages /briefings/ and /briefings/<id>/, and publishing and withdrawing there."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from missions.models import AuditEvent
from reports.briefings.services import briefing_publish
from reports.models import Briefing

pytestmark = pytest.mark.django_db


def page(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def publish(mission, user, **kwargs):
    return briefing_publish(mission=mission, user=user, now=timezone.now(), **kwargs)


@pytest.fixture
def briefing(coordinator, reported):
    return publish(reported, coordinator, title="Preliminary statement")


def test_the_briefing_page_states_what_the_mission_found(press, briefing):
    response = page(press, f"/briefings/{briefing.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preliminary statement" in html
    assert (
        "2 observers took part in the observation. They came from 1 state. 1 organisation "
        "sent them. They visited 2 of 2 polling stations. Reports came from the only region."
        in html
    )
    assert "Voting was assessed as bad or very bad in 50.0% of the polling stations" in html
    assert re.search(r'data-stage="COUNTING"><th>Counting</th><td class="num">100.0%', html)
    assert "Observed turnout at 11:00: 26.7%" in html
    assert 'data-category="COUNT_IRREGULARITY"><th>Counting irregularity</th>' in html


def test_the_briefing_page_draws_every_chart_with_its_downloads(press, briefing):
    html = page(press, f"/briefings/{briefing.pk}/").content.decode()

    figures = json.loads(
        re.search(r'<script id="briefing-figures" type="application/json">(.*?)</script>', html)
        .group(1)
    )  # fmt: skip
    assert list(figures) == [c["name"] for c in briefing.snapshot["charts"]]
    assert figures["assessments"]["data"][0]["type"] == "bar"
    for fmt in ("png", "svg", "pdf", "csv"):
        assert f'href="/api/v1/briefings/{briefing.pk}/charts/turnout_day.{fmt}"' in html
    assert f'href="/api/v1/briefings/{briefing.pk}/pack.pdf"' in html
    assert f'data-status-url="/api/v1/briefings/{briefing.pk}/pack/"' in html
    assert "/static/vendor/plotly/plotly-observatory.min.js" in html
    assert "/static/js/briefing.js" in html
    assert "<script>" not in html  # no inline script under the CSP


def test_area_names_are_escaped_on_the_page(coordinator, press, reported, station):
    from reports.aggregates.reconcile import aggregates_reconcile

    station.region.name = "<script>alert(1)</script>"
    station.region.save(update_fields=["name"])
    aggregates_reconcile(mission=reported, now=timezone.now())
    briefing = publish(reported, coordinator, title="<b>Bold</b> claims")

    html = page(press, f"/briefings/{briefing.pk}/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in html


def test_the_list_shows_press_their_released_briefings_only(coordinator, press, reported):
    released = publish(reported, coordinator, title="Released")
    publish(
        reported,
        coordinator,
        title="Embargoed",
        embargo_until=timezone.now() + dt.timedelta(hours=3),
    )
    withdrawn = publish(reported, coordinator, title="Withdrawn")
    Briefing.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())

    html = page(press, "/briefings/").content.decode()

    assert f'href="/briefings/{released.pk}/"' in html
    assert "Embargoed" not in html
    assert "Withdrawn" not in html
    assert "Publish a briefing" not in html


def test_anonymous_visitors_see_public_briefings_only(coordinator, reported):
    public = publish(reported, coordinator, title="For everyone", public=True)
    private = publish(reported, coordinator, title="Press only")

    listing = page(None, "/briefings/").content.decode()

    assert "For everyone" in listing
    assert "Press only" not in listing
    assert page(None, f"/briefings/{public.pk}/").status_code == 200
    assert page(None, f"/briefings/{private.pk}/").status_code == 404


def test_coordinators_see_embargoed_and_withdrawn_briefings_marked(coordinator, reported):
    publish(
        reported, coordinator, title="Later", embargo_until=timezone.now() + dt.timedelta(hours=3)
    )

    html = page(coordinator, "/briefings/").content.decode()

    assert "Later" in html
    assert "embargoed until" in html
    assert "Publish a briefing" in html


def test_a_coordinator_publishes_from_the_page_in_the_missions_time(coordinator, reported):
    client = Client()
    client.force_login(coordinator)

    response = client.post(
        "/briefings/publish/",
        {
            "mission": reported.pk,
            "title": "Statement",
            "embargo_until": "2022-11-21T09:00",
            "public": "on",
        },
    )

    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/briefings/{briefing.pk}/"
    # 09:00 in Almaty (UTC+6) is 03:00 UTC.
    assert briefing.embargo_until == dt.datetime(2022, 11, 21, 3, 0, tzinfo=dt.UTC)
    assert briefing.public is True
    assert AuditEvent.objects.filter(action="briefing.publish", actor=coordinator).exists()


@pytest.mark.parametrize("persona", ["press", "analyst", "outsider"])
def test_only_coordinators_publish_from_the_page(request, reported, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))

    response = client.post("/briefings/publish/", {"mission": reported.pk, "title": "No"})

    assert response.status_code == 404
    assert not Briefing.objects.exists()


def test_a_coordinator_withdraws_from_the_page(coordinator, press, briefing):
    client = Client()
    client.force_login(coordinator)

    response = client.post(f"/briefings/{briefing.pk}/withdraw/", {"reason": "Typo in title"})

    assert response.status_code == 302
    assert page(press, f"/briefings/{briefing.pk}/").status_code == 404
    assert AuditEvent.objects.get(action="briefing.withdraw").reason == "Typo in title"


def test_press_cannot_withdraw_from_the_page(press, briefing):
    client = Client()
    client.force_login(press)

    response = client.post(f"/briefings/{briefing.pk}/withdraw/")

    assert response.status_code == 403
    assert Briefing.objects.get(pk=briefing.pk).withdrawn_at is None


def test_another_missions_coordinator_gets_404(other_mission_coordinator, briefing):
    assert page(other_mission_coordinator, f"/briefings/{briefing.pk}/").status_code == 404


def test_a_briefing_before_any_report_still_draws(coordinator, press, station):
    briefing = publish(station.mission, coordinator, title="Too early")

    response = page(press, f"/briefings/{briefing.pk}/")

    assert response.status_code == 200
    assert "No assessments had been reported" in response.content.decode()
