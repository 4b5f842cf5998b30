"""The operations room's pages: what coordinators, analysts and observers see."""

import pytest

from missions.models import AuditEvent
from reports.models import IncidentTriage, MessageRecipient, TeamContact
from tests.missions.factories import ObserverFactory, TeamFactory
from tests.reports.factories import FindingFactory, VisitFactory, local

pytestmark = pytest.mark.django_db

EVIL = "<script>alert('x')</script>"


@pytest.fixture
def crew(mission, station):
    team = TeamFactory(mission=mission, code="T1")
    ObserverFactory(
        mission=mission, team=team, full_name=EVIL, phone="+77011234567", email="a@b.kz"
    )
    TeamFactory(mission=mission, code="T2")
    return team


def test_the_reporting_page_lists_teams_with_phones_for_coordinators(
    client, coordinator, mission, crew
):
    client.force_login(coordinator)

    html = client.get(f"/missions/{mission.pk}/reporting/?stage=OPENING").content.decode()

    assert 'data-team="T1"' in html and 'data-team="T2"' in html
    assert "tel:+77011234567" in html and "mailto:a@b.kz" in html
    assert EVIL not in html and "&lt;script&gt;" in html


def test_analysts_see_no_phones_and_no_contact_buttons(client, analyst, mission, crew):
    client.force_login(analyst)

    html = client.get(f"/missions/{mission.pk}/reporting/").content.decode()
    posted = client.post(
        f"/missions/{mission.pk}/reporting/contact/", {"team": "T1", "stage": "OPENING"}
    )

    assert "+77011234567" not in html and "contact-form" not in html
    assert posted.status_code == 403


def test_contacted_from_the_row_records_the_note(client, coordinator, mission, crew):
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/reporting/contact/",
        {
            "team": "T1",
            "stage": "OPENING",
            "note": "Called: on the way",
            "next": f"/missions/{mission.pk}/reporting/?stage=OPENING",
        },
    )
    html = client.get(f"/missions/{mission.pk}/reporting/?stage=OPENING").content.decode()

    assert response.status_code == 302
    assert TeamContact.objects.get().note == "Called: on the way"
    assert "Called: on the way" in html
    assert AuditEvent.objects.filter(action="team.contact").count() == 1


def test_the_call_list_csv_has_one_row_per_observer(client, coordinator, mission, crew):
    client.force_login(coordinator)

    response = client.get(f"/missions/{mission.pk}/reporting/calls.csv?stage=VOTING")
    text = response.content.decode("utf-8-sig")

    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0].startswith("team,status,reports")
    assert any(line.startswith("T1,") and "+77011234567" in line for line in lines)
    assert any(line.startswith("T2,") for line in lines)


def test_the_settings_page_changes_due_times_and_languages(client, coordinator, mission):
    client.force_login(coordinator)
    data = {
        "due_OPENING": "08:15",
        "due_VOTING": "13:00",
        "due_CLOSING": "20:30",
        "due_COUNTING": "23:59",
        "due_TABULATION": "04:00",
        "languages": "en, ru",
    }

    response = client.post(f"/missions/{mission.pk}/reporting/settings/", data)
    bad = client.post(f"/missions/{mission.pk}/reporting/settings/", {**data, "languages": "xx"})

    mission.refresh_from_db()
    assert response.status_code == 302
    assert mission.report_due["OPENING"] == "08:15" and mission.languages == ["en", "ru"]
    assert bad.status_code == 400


@pytest.fixture
def incident(mission, station):
    visit = VisitFactory(station=station, arrived_at=local(10))
    return FindingFactory(visit=visit, severity="CRITICAL", description=EVIL)


def test_the_incidents_page_escapes_and_links_the_visit(client, coordinator, mission, incident):
    client.force_login(coordinator)

    html = client.get(f"/missions/{mission.pk}/incidents/").content.decode()

    assert f'data-incident="{incident.pk}"' in html
    assert EVIL not in html
    assert f"/missions/{mission.pk}/visits/{incident.visit_id}/" in html


def test_triage_from_the_page_with_a_note(client, coordinator, mission, incident):
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/incidents/{incident.pk}/triage/",
        {"status": "FOLLOW_UP", "assignee": "coordinator", "note": EVIL},
    )
    html = client.get(f"/missions/{mission.pk}/incidents/{incident.pk}/").content.decode()

    assert response.status_code == 302
    assert IncidentTriage.objects.get(pk=incident.pk).status == "FOLLOW_UP"
    assert "&lt;script&gt;alert" in html and EVIL not in html


def test_bulk_acknowledge(client, coordinator, mission, incident, station):
    other = FindingFactory(visit=incident.visit, severity="SERIOUS")
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/incidents/acknowledge/", {"findings": [incident.pk, other.pk]}
    )

    assert response.status_code == 302
    assert set(IncidentTriage.objects.values_list("status", flat=True)) == {"ACKNOWLEDGED"}
    assert AuditEvent.objects.filter(action="incident.triage").count() == 2


def test_bulk_acknowledge_of_another_missions_finding_changes_nothing(
    client, coordinator, mission, incident, foreign_station
):
    foreign = FindingFactory(visit=VisitFactory(station=foreign_station), severity="CRITICAL")
    client.force_login(coordinator)

    client.post(
        f"/missions/{mission.pk}/incidents/acknowledge/", {"findings": [incident.pk, foreign.pk]}
    )

    assert not IncidentTriage.objects.exists()


def test_messages_page_sends_and_counts(client, coordinator, analyst, mission, crew, station):
    client.force_login(coordinator)

    response = client.post(
        f"/missions/{mission.pk}/messages/", {"text": "Close at 20:00", "teams": "T1"}
    )
    html = client.get(f"/missions/{mission.pk}/messages/").content.decode()
    client.force_login(analyst)
    as_analyst = client.get(f"/missions/{mission.pk}/messages/")

    assert response.status_code == 302
    assert MessageRecipient.objects.count() == 1
    assert "Close at 20:00" in html
    assert "Message sent to 1 observer." in html
    assert as_analyst.status_code == 403


def test_the_observer_sees_messages_on_the_phone(client, coordinator, mission, observer):
    client.force_login(coordinator)
    client.post(f"/missions/{mission.pk}/messages/", {"text": EVIL})
    client.force_login(observer.user)

    html = client.get(f"/observe/{mission.pk}/messages/").content.decode()
    stations = client.get(f"/observe/{mission.pk}/").content.decode()

    assert "&lt;script&gt;alert" in html and EVIL not in html
    assert 'id="messages-badge"' in stations


def test_the_wall_and_its_data(client, coordinator, mission, incident):
    client.force_login(coordinator)

    html = client.get(f"/missions/{mission.pk}/wall/").content.decode()
    data = client.get(f"/missions/{mission.pk}/wall/data/").json()

    assert "topbar" not in html  # no navigation
    assert [p["name"] for p in data["panels"]] == [
        "coverage",
        "turnout",
        "assessments",
        "incidents",
        "reporting",
    ]
    assert data["panels"][3]["incidents"][0]["description"] == EVIL  # JSON: set as text by the page


def test_every_coordinator_page_carries_the_live_alert(client, coordinator, observer, mission):
    client.force_login(coordinator)
    dashboard = client.get(f"/missions/{mission.pk}/dashboard/").content.decode()
    teams = client.get(f"/missions/{mission.pk}/teams/").content.decode()
    client.force_login(observer.user)
    phone = client.get(f"/observe/{mission.pk}/").content.decode()

    assert 'id="live-alert"' in dashboard and 'id="live-alert"' in teams
    assert "js/live.js" in dashboard
    assert 'id="live-alert"' not in phone


def test_the_dashboard_live_figures_and_the_map(client, coordinator, mission, incident, station):
    client.force_login(coordinator)

    live = client.get(f"/missions/{mission.pk}/dashboard/live/").json()
    coverage = client.get(f"/missions/{mission.pk}/dashboard/map/").json()
    turnout = client.get(f"/missions/{mission.pk}/dashboard/map/?measure=turnout").json()

    assert set(live["figures"]) >= {"coverage_by_area", "turnout_day", "assessments"}
    assert coverage["measure"] == "coverage" and turnout["measure"] == "turnout"
    assert coverage["figure"]["data"]


def test_coordinators_see_observer_phones_on_team_visit_and_observer_pages(
    client, coordinator, analyst, mission, station
):
    team = TeamFactory(mission=mission, code="T9")
    observer = ObserverFactory(mission=mission, team=team, phone="+77015550101", email="o@x.kz")
    visit = VisitFactory(station=station, observer=observer)
    pages = [
        f"/missions/{mission.pk}/teams/",
        f"/missions/{mission.pk}/visits/{visit.pk}/",
        f"/missions/{mission.pk}/observers/",
    ]

    client.force_login(coordinator)
    seen = [client.get(page).content.decode() for page in pages]
    client.force_login(analyst)
    hidden = [client.get(page).content.decode() for page in pages]

    assert all("tel:+77015550101" in html and "mailto:o@x.kz" in html for html in seen)
    assert not any("+77015550101" in html for html in hidden)


def test_the_stage_filter_says_which_panel_it_does_not_narrow(client, coordinator, mission):
    client.force_login(coordinator)

    narrowed = client.get(f"/missions/{mission.pk}/dashboard/?stage=VOTING").content.decode()
    everything = client.get(f"/missions/{mission.pk}/dashboard/").content.decode()

    assert 'data-note="stage"' in narrowed and "except turnout" in narrowed
    assert 'data-note="stage"' not in everything
