"""The observer's phone pages: what an observer sees, and who gets a 404."""

import datetime as dt
import html
import json
import re
import uuid

import pytest

from common.plurals import SPAN
from missions.models import Deployment
from observation.models import Checklist, Visit
from tests.catalog import plural, translated
from tests.missions.factories import (
    DistrictFactory,
    MembershipFactory,
    ObserverFactory,
    StationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ELECTION_DAY = dt.date(2022, 11, 20)
ALMATY = dt.timezone(dt.timedelta(hours=6))


def at(hour, minute=0):
    return dt.datetime(2022, 11, 20, hour, minute, tzinfo=ALMATY)


def deploy(team, *stations, day=ELECTION_DAY, area=None):
    deployment = Deployment.objects.create(mission=team.mission, team=team, day=day, area=area)
    deployment.stations.set(stations)
    return deployment


def make_visit(observer, station, *, stage="VOTING", hour=10, status="SUBMITTED", flags=()):
    return Visit.objects.create(
        mission=observer.mission,
        station=station,
        team=observer.team,
        observer=observer,
        checklist=Checklist.objects.get(mission=observer.mission, stage=stage, is_current=True),
        stage=stage,
        arrived_at=at(hour),
        departed_at=at(hour, 30),
        status=status,
        flags=list(flags),
        client_uuid=uuid.uuid4(),
    )


def question_tag(body, checklist, code):
    """The opening tag of a question's fieldset, with its data- attributes."""
    return re.search(rf'<fieldset class="question" id="q-{checklist.pk}-{code}"[^>]*>', body).group(
        0
    )


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def config_of(response):
    match = re.search(
        r'<script id="observe-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries its configuration for the scripts"
    return json.loads(match.group(1))


# --- My stations -------------------------------------------------------------------------


def test_my_stations_lists_the_deployed_stations_with_the_teams_visits(
    client, observer, station, other_station, other_team_observer
):
    deploy(observer.team, station, other_station)
    make_visit(observer, station, stage="OPENING", hour=7)
    make_visit(other_team_observer, other_station, hour=11)

    response = page(client, observer.user, f"/observe/{observer.mission_id}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert station.code in body and other_station.code in body
    station_card = body.split(f'data-station="{station.pk}"')[1].split("</li>")[0]
    assert "Opening" in station_card and "07:00" in station_card
    other_card = body.split(f'data-station="{other_station.pk}"')[1].split("</li>")[0]
    assert "Not visited yet." in other_card, "another team's visit is not this team's"
    assert f"/observe/{observer.mission_id}/visit/?station={station.pk}" in body


def test_an_area_deployment_lists_every_station_of_the_area(client, observer, station):
    district = station.district
    nested = DistrictFactory(parent=district, mission=observer.mission, depth=3, code="SUB")
    deeper = StationFactory(
        mission=observer.mission, district=district, region=district.parent, area=nested
    )
    elsewhere = StationFactory(district__parent__mission=observer.mission)
    deploy(observer.team, area=district)

    response = page(client, observer.user, f"/observe/{observer.mission_id}/")

    body = response.content.decode()
    assert station.code in body
    assert deeper.code in body, "stations of a sub-area belong to the area"
    assert elsewhere.code not in body


def test_deployments_of_other_days_and_other_teams_are_not_listed(
    client, observer, station, other_station, other_team_observer
):
    deploy(observer.team, station, day=ELECTION_DAY - dt.timedelta(days=1))
    deploy(other_team_observer.team, other_station)

    response = page(client, observer.user, f"/observe/{observer.mission_id}/")

    body = response.content.decode()
    assert station.code not in body and other_station.code not in body
    assert "Your team has no stations for election day yet." in body


def test_my_stations_has_the_waiting_count_and_the_offline_script(client, observer):
    response = page(client, observer.user, f"/observe/{observer.mission_id}/")

    body = response.content.decode()
    assert 'id="queue-count"' in body and "data-queue-count" in body
    assert "/static/js/visit_queue.js" in body and "/static/js/observe.js" in body
    config = config_of(response)
    assert config["mission"] == observer.mission_id
    assert config["serviceWorker"] == "/observe/sw.js"
    assert config["urls"]["apiVisits"] == "/api/v1/visits/"
    assert config["user"] == "observer"


def test_the_count_of_reports_needing_attention_takes_its_plural_form(client, observer):
    client.force_login(observer.user)
    russian = plural(
        "%(count)s report needs your attention",
        "%(count)s отчёт требует вашего внимания",
        "%(count)s отчёта требуют вашего внимания",
        "%(count)s отчётов требуют вашего внимания",
        "%(count)s отчёта требуют вашего внимания",
    )

    with translated("ru", russian):
        response = client.get(f"/observe/{observer.mission_id}/", HTTP_ACCEPT_LANGUAGE="ru")

    table = config_of(response)["strings"]["problems"]
    forms = {
        n: table["forms"][int(table["index"][n if n < SPAN else 100 + n % 100])]
        for n in (1, 5, 22, 121)
    }
    assert forms == {
        1: "%(count)s отчёт требует вашего внимания",
        5: "%(count)s отчётов требуют вашего внимания",
        22: "%(count)s отчёта требуют вашего внимания",
        121: "%(count)s отчёт требует вашего внимания",
    }


def test_my_stations_escapes_station_names(client, observer, station):
    station.name = "<script>alert(1)</script>"
    station.save(update_fields=["name"])
    deploy(observer.team, station)

    body = page(client, observer.user, f"/observe/{observer.mission_id}/").content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_my_stations_takes_a_fixed_number_of_queries(
    client, observer, station, other_station, django_assert_max_num_queries
):
    deploy(observer.team, station, other_station)
    for hour in (8, 9, 10):
        make_visit(observer, station, hour=hour)
        make_visit(observer, other_station, hour=hour)
    client.force_login(observer.user)

    with django_assert_max_num_queries(10):
        response = client.get(f"/observe/{observer.mission_id}/")

    assert response.status_code == 200


def test_observe_index_goes_straight_to_the_observers_mission(client, observer):
    response = page(client, observer.user, "/observe/")

    assert response.status_code == 302
    assert response["Location"] == f"/observe/{observer.mission_id}/"


def test_observe_index_lists_missions_of_an_observer_of_several(client, observer, other_mission):
    ObserverFactory(mission=other_mission, user=observer.user)

    response = page(client, observer.user, "/observe/")

    assert response.status_code == 200
    assert "Test mission" in response.content.decode()
    assert "Other mission" in response.content.decode()


def test_observe_index_for_a_non_observer_lists_nothing(client, coordinator):
    response = page(client, coordinator, "/observe/")

    assert response.status_code == 200
    assert "You are not an observer of any mission." in response.content.decode()


# --- New visit ---------------------------------------------------------------------------


def test_new_visit_renders_every_current_checklist_with_skip_logic_data(client, observer, station):
    deploy(observer.team, station)

    response = page(client, observer.user, f"/observe/{observer.mission_id}/visit/")

    body = response.content.decode()
    assert response.status_code == 200
    voting = Checklist.objects.get(mission=observer.mission, stage="VOTING", is_current=True)
    assert f'data-checklist="{voting.pk}" data-stage="VOTING"' in body
    for stage in ("OPENING", "VOTING", "CLOSING", "COUNTING", "TABULATION"):
        assert f'data-stage="{stage}"' in body
    v02 = question_tag(body, voting, "V02")
    assert 'data-type="MULTI_CHOICE"' in v02
    assert 'data-required="true"' in v02
    show_if = json.loads(html.unescape(re.search(r'data-show-if="([^"]*)"', v02).group(1)))
    assert show_if == {"question": "V01", "equals": True}
    v01 = question_tag(body, voting, "V01")
    assert "data-show-if" not in v01
    assert 'value="POLICE"' in body and "Police" in body, "choices carry values and labels"
    assert f'<option value="{station.pk}" data-registered="1000">' in body
    assert 'value="other"' in body, "a station off the list can be given by its code"


def test_new_visit_shows_integer_bounds_and_has_the_findings_form(client, observer):
    response = page(client, observer.user, f"/observe/{observer.mission_id}/visit/")

    body = response.content.decode()
    opening = Checklist.objects.get(mission=observer.mission, stage="OPENING", is_current=True)
    o04 = question_tag(body, opening, "O04")
    assert 'data-type="INTEGER"' in o04 and 'data-min="0"' in o04 and 'data-max="50"' in o04
    assert 'name="arrived_at"' in body and 'name="departed_at"' in body
    assert 'name="voters_so_far"' in body
    for value in ("VERY_GOOD", "GOOD", "BAD", "VERY_BAD"):
        assert f'name="assessment" value="{value}"' in body
    assert 'id="finding-template"' in body
    assert 'value="BALLOT_STUFFING"' in body and 'value="CRITICAL"' in body
    assert 'accept="image/jpeg,image/png"' in body
    assert "/static/js/observe_visit.js" in body
    assert 'id="queue-count"' in body


def test_new_visit_gives_the_script_the_election_day_and_its_utc_offsets(client, observer):
    response = page(client, observer.user, f"/observe/{observer.mission_id}/visit/")

    config = config_of(response)
    assert config["day"] == "2022-11-20"
    assert config["offsets"] == ["+06:00"] * 24
    assert config["pollsOpen"] == "07:00" and config["pollsClose"] == "20:00"
    assert config["maxPhotos"] == 3
    assert config["maxPhotoBytes"] == 10 * 1024 * 1024
    assert config["strings"]["required"] == "This question needs an answer."


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("ru", "Были ли урны показаны пустыми и опечатаны?", None),
        ("kk", "Сайлау жәшіктері бос күйінде көрсетіліп, мөрленді ме?", None),
        ("en", "Were the ballot boxes shown empty and sealed?", "опечатаны"),
    ],
)
def test_question_texts_are_shown_in_the_users_language(
    client, observer, language, expected, absent
):
    client.force_login(observer.user)

    response = client.get(f"/observe/{observer.mission_id}/visit/", HTTP_ACCEPT_LANGUAGE=language)

    body = response.content.decode()
    assert expected in body
    if absent:
        assert absent not in body


def test_a_question_without_a_translation_falls_back_to_english(client, observer):
    voting = Checklist.objects.get(mission=observer.mission, stage="VOTING", is_current=True)
    question = voting.questions.get(code="V03")
    question.text_i18n = {}
    question.save(update_fields=["text_i18n"])
    client.force_login(observer.user)

    response = client.get(f"/observe/{observer.mission_id}/visit/", HTTP_ACCEPT_LANGUAGE="ru")

    assert question.text in response.content.decode()


def test_new_visit_escapes_question_texts(client, observer):
    voting = Checklist.objects.get(mission=observer.mission, stage="VOTING", is_current=True)
    voting.questions.filter(code="V03").update(text="<img src=x onerror=alert(1)>", text_i18n={})

    body = page(client, observer.user, f"/observe/{observer.mission_id}/visit/").content.decode()

    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


# --- My visits ---------------------------------------------------------------------------


def test_my_visits_shows_the_teams_visits_with_status_and_flag_reasons(
    client, observer, station, other_team_observer
):
    teammate = ObserverFactory(mission=observer.mission, team=observer.team, full_name="Tom Mate")
    make_visit(
        teammate,
        station,
        status="FLAGGED",
        flags=[{"code": "VOTERS_ABOVE_REGISTERED", "message": "1200 ballots for 1000 voters."}],
    )
    make_visit(observer, station, stage="OPENING", hour=7)
    hidden = make_visit(other_team_observer, station, hour=12)

    response = page(client, observer.user, f"/observe/{observer.mission_id}/visits/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Flagged for review" in body and "1200 ballots for 1000 voters." in body
    assert "Tom Mate" in body, "a teammate's visits are the team's"
    assert "Submitted" in body
    assert f'data-visit="{hidden.pk}"' not in body
    assert 'id="queue-list"' in body and 'id="queue-count"' in body


def test_my_visits_escapes_flag_messages(client, observer, station):
    make_visit(observer, station, status="FLAGGED", flags=[{"code": "X", "message": "<b>bold</b>"}])

    body = page(client, observer.user, f"/observe/{observer.mission_id}/visits/").content.decode()

    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body


# --- Who may open the observer pages ------------------------------------------------------

OBSERVER_PAGES = ["/observe/{id}/", "/observe/{id}/visit/", "/observe/{id}/visits/"]


@pytest.mark.parametrize("url", OBSERVER_PAGES)
def test_anonymous_users_are_sent_to_log_in(client, mission, url):
    response = client.get(url.format(id=mission.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/observe/")


@pytest.mark.parametrize("url", OBSERVER_PAGES)
@pytest.mark.parametrize(
    "persona", ["coordinator", "analyst", "press", "outsider", "other_mission_coordinator"]
)
def test_non_observers_get_404(client, mission, url, persona, request):
    user = request.getfixturevalue(persona)

    response = page(client, user, url.format(id=mission.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("url", OBSERVER_PAGES)
def test_an_observer_of_another_mission_gets_404(client, mission, other_mission, url):
    stranger = ObserverFactory(mission=other_mission, user=UserFactory(username="stranger"))

    response = page(client, stranger.user, url.format(id=mission.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("url", OBSERVER_PAGES)
def test_an_observer_member_without_an_observer_profile_gets_404(client, mission, url):
    user = MembershipFactory(mission=mission, role="OBSERVER").user

    response = page(client, user, url.format(id=mission.pk))

    assert response.status_code == 404


def test_a_mission_that_does_not_exist_is_404(client, observer):
    response = page(client, observer.user, "/observe/999999/")

    assert response.status_code == 404


# --- The demo mission ----------------------------------------------------------------------


def test_every_demo_team_is_deployed_to_the_stations_it_visits_and_the_demo_observer_sees_them(
    client,
):
    from django.core.management import call_command

    from demo.mission import DEMO_MISSION_NAME
    from missions.models import Mission, Observer

    call_command("seed_demo", size="small")
    mission = Mission.objects.get(name=DEMO_MISSION_NAME)

    for team in mission.teams.all():
        deployed = set(
            Deployment.objects.filter(team=team, day=mission.election_date).values_list(
                "stations__code", flat=True
            )
        )
        visited = set(Visit.objects.filter(team=team).values_list("station__code", flat=True))
        assert visited and visited <= deployed, team.code
    observer = Observer.objects.get(mission=mission, user__username="observer")
    body = page(client, observer.user, f"/observe/{mission.pk}/").content.decode()
    for code in Visit.objects.filter(team=observer.team).values_list("station__code", flat=True):
        assert f"<strong>{code}</strong>" in body
