"""The coordinators' SMS pages (observation/sms/views.py): the log, its settings, the
simulator and the cheat-sheets."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from missions.models import AuditEvent
from observation.checklists import checklist_revise, question_spec
from observation.models import Checklist, SmsMessage, SmsNumber, Visit
from observation.sms.services import sms_receive
from tests.missions.factories import ObserverFactory

from .conftest import ELECTION_MORNING, OBSERVER_PHONE, inbound_post

pytestmark = pytest.mark.django_db

ANSWERS = "V01=N V03=Y V04=Y V05=N V06=N V07=2 V08=N V09=N V11=N V12=N"


def log_url(mission):
    return f"/missions/{mission.pk}/sms/"


def html_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The log --------------------------------------------------------------------------------


def test_the_log_shows_every_message_its_status_reply_and_visit(
    client, sms, station, coordinator, mission
):
    sms(f"VOTING {station.code} {ANSWERS}")
    sms(f"VOTING NOWHERE {ANSWERS}")
    inbound_post(client, "<script>alert(1)</script>", sender="+77779998877", to="")
    SmsNumber.objects.create(mission=mission, number="+77000000000")
    inbound_post(client, "hello", sender="+77779998877", to="+77000000000")
    visit = Visit.objects.get()
    client.force_login(coordinator)

    response = client.get(log_url(mission))

    assert response.status_code == 200
    page = html_text(response)
    assert f'<a href="/missions/{mission.pk}/visits/{visit.pk}/">#{visit.pk}</a>' in page
    assert f"OK {visit.pk} {station.code}" in page
    assert "Not stored: station NOWHERE unknown" in page
    assert page.count('class="badge STORED"') == 1
    assert page.count('class="badge REFUSED"') == 1
    assert page.count('class="badge UNKNOWN_SENDER"') == 1  # the one sent to our number
    assert "hello" in page and "<script>alert(1)</script>" not in page  # not ours, and escaped
    assert OBSERVER_PHONE in page and "Olga Observer" in page
    assert "4 messages" not in page and "3 messages" in page


def test_the_log_keeps_the_visit_apis_own_words_for_a_refused_report(
    client, sms, station, coordinator, mission
):
    sms(f"VOTING {station.code} {ANSWERS.replace('V03=Y', 'V03=maybe')} F=99C")
    client.force_login(coordinator)

    page = html_text(client.get(log_url(mission)))

    assert "answers.V03: V03 must be true or false." in page
    assert "findings.#1.category: category must be one of" in page


def test_the_log_escapes_what_observers_write(client, sms, coordinator, mission):
    sms('VOTING <img src=x onerror="alert(1)">')
    client.force_login(coordinator)

    page = client.get(log_url(mission)).content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_the_log_filters_by_status_and_counts_its_queries(
    client, sms, station, coordinator, mission, django_assert_max_num_queries
):
    for minute in range(12):
        sms(f"VOTING {station.code} {ANSWERS} T={minute}")
        sms(f"VOTING NOWHERE {ANSWERS}")
    client.force_login(coordinator)

    with django_assert_max_num_queries(14):
        response = client.get(log_url(mission) + "?status=REFUSED")

    page = html_text(response)
    assert page.count('class="badge REFUSED"') == 12 and "badge STORED" not in page


def test_only_the_missions_coordinators_read_the_log(
    client, sms, analyst, other_mission_coordinator, mission
):
    sms("VOTING X")
    for user in (analyst, other_mission_coordinator):
        client.force_login(user)
        assert client.get(log_url(mission)).status_code == 404


def test_the_log_says_whether_a_gateway_sends(client, coordinator, mission, settings):
    client.force_login(coordinator)

    off = html_text(client.get(log_url(mission)))
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_FROM = "AC" + "1" * 32, "+77000000000"
    on = html_text(client.get(log_url(mission)))

    assert "No SMS gateway is configured for sending" in off
    assert "Messages to observers also go by SMS, through Twilio." in on
    assert "http://testserver/api/v1/sms/twilio/" in on


def test_the_log_counts_observers_who_cannot_report_by_sms(
    client, coordinator, mission, sms_observer, other_team_observer
):
    client.force_login(coordinator)

    page = html_text(client.get(log_url(mission)))

    assert "1 observer has no phone in the international form" in page


# --- Settings -------------------------------------------------------------------------------


def settings_post(client, mission, numbers="", **keywords):
    data = {"numbers": numbers}
    for checklist in Checklist.objects.filter(mission=mission, is_current=True):
        data[f"keyword_{checklist.pk}"] = keywords.get(checklist.stage, checklist.sms_keyword)
    return client.post(f"/missions/{mission.pk}/sms/settings/", data)


def test_a_coordinator_sets_the_numbers_and_keywords(client, coordinator, mission, sms, station):
    client.force_login(coordinator)

    response = settings_post(client, mission, "8 700 000 00 00, +7 700 000 0001", VOTING="v")

    assert response.status_code == 302
    assert sorted(SmsNumber.objects.filter(mission=mission).values_list("number", flat=True)) == [
        "+77000000000",
        "+77000000001",
    ]
    voting = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    assert voting.sms_keyword == "V"
    event = AuditEvent.objects.get(action="sms.settings")
    assert event.actor == coordinator and event.after["keywords"]["VOTING"] == "V"
    assert sms(f"V {station.code} {ANSWERS}").startswith("OK ")


@pytest.mark.parametrize(
    ("numbers", "keywords", "problem"),
    [
        ("12", {}, "not a valid phone number"),
        ("", {"VOTING": "OPENING"}, "already names another stage"),
        ("", {"VOTING": "X", "OPENING": "x"}, "already another checklist"),
        ("", {"VOTING": "7UP"}, "use a letter"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    client, coordinator, mission, numbers, keywords, problem
):
    client.force_login(coordinator)

    response = settings_post(client, mission, numbers, **keywords)

    assert response.status_code == 400
    assert problem in html_text(response)
    assert not SmsNumber.objects.exists()
    assert not Checklist.objects.exclude(sms_keyword="").exists()
    assert not AuditEvent.objects.filter(action="sms.settings").exists()


def test_a_number_is_one_missions_only(client, coordinator, mission, other_mission):
    SmsNumber.objects.create(mission=other_mission, number="+77000000000")
    client.force_login(coordinator)

    response = settings_post(client, mission, "+77000000000")

    assert response.status_code == 400
    assert "another mission" in html_text(response)


def test_a_keyword_survives_a_new_version_of_its_checklist(coordinator, mission, sms, station):
    voting = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    voting.sms_keyword = "V"
    voting.save(update_fields=["sms_keyword"])
    sms(f"V {station.code} {ANSWERS}")  # a visit: the next edit makes version 2
    questions = [question_spec(q) for q in voting.questions.order_by("position")]
    questions[0]["text"] = "Edited"

    revised = checklist_revise(
        checklist=voting, actor=coordinator, questions=questions, now=timezone.now()
    )

    assert revised.version == 2 and revised.sms_keyword == "V"
    assert sms(f"v {station.code} {ANSWERS} T=5").startswith("OK ")
    assert Visit.objects.latest("id").checklist == revised


# --- The simulator --------------------------------------------------------------------------


def simulate(client, mission, text, *, sender=OBSERVER_PHONE, message_id="a" * 32, at=None):
    data = {"sender": sender, "text": text, "message_id": message_id}
    if at:
        data["at"] = at
    return client.post(f"/missions/{mission.pk}/sms/simulator/", data)


def test_the_simulator_goes_through_the_webhooks_service(
    client, coordinator, mission, sms_observer, station
):
    client.force_login(coordinator)

    response = simulate(client, mission, f"VOTING {station.code} {ANSWERS}", at="2022-11-20T10:05")

    assert response.status_code == 200
    visit = Visit.objects.get()
    assert f"OK {visit.pk} {station.code}" in html_text(response)
    assert visit.observer == sms_observer and visit.arrived_at == ELECTION_MORNING
    inbound = SmsMessage.objects.get(direction="IN")
    assert (inbound.gateway, inbound.status, inbound.mission) == ("SIMULATOR", "STORED", mission)


def test_sending_the_same_simulator_form_twice_is_a_replay(
    client, coordinator, mission, sms_observer, station
):
    client.force_login(coordinator)
    text = f"VOTING {station.code} {ANSWERS}"

    first = simulate(client, mission, text, at="2022-11-20T10:05")
    again = simulate(client, mission, text, at="2022-11-20T10:09")

    assert Visit.objects.count() == 1
    reply = f"OK {Visit.objects.get().pk} {station.code}"
    assert reply in html_text(first) and reply in html_text(again)


def test_the_simulator_speaks_for_the_missions_own_observers_only(
    client, coordinator, mission, other_mission, station
):
    stranger = ObserverFactory(mission=other_mission, phone="+77019990000")
    client.force_login(coordinator)

    response = simulate(client, mission, f"VOTING {station.code} {ANSWERS}", sender=stranger.phone)

    assert "not an observer&#x27;s phone" in response.content.decode()
    assert not Visit.objects.exists()
    assert SmsMessage.objects.get(direction="IN").mission == mission


def test_the_simulator_defaults_to_the_election_day(client, coordinator, mission):
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/sms/simulator/").content.decode()

    assert 'value="2022-11-20T12:00"' in page  # today is not the election day


def test_the_simulator_refuses_a_form_without_its_message_id(client, coordinator, mission):
    client.force_login(coordinator)

    response = simulate(client, mission, "VOTING X", message_id="")

    assert response.status_code == 400
    assert not SmsMessage.objects.exists()


# --- Cheat-sheets ---------------------------------------------------------------------------


def cheatsheet(client, mission, stage="VOTING", lang=None):
    checklist = Checklist.objects.get(mission=mission, stage=stage, is_current=True)
    query = f"?lang={lang}" if lang else ""
    return client.get(f"/missions/{mission.pk}/sms/cheatsheet/{checklist.pk}/{query}")


def test_the_cheat_sheet_lists_codes_values_positions_categories_and_severities(
    client, analyst, mission
):
    client.force_login(analyst)

    page = html_text(cheatsheet(client, mission))

    for code in ("V01", "V02", "V07", "V10", "V13"):
        assert f'data-code="{code}"' in page
    assert "<code>1-3</code>" in page  # V07's three choices, by position
    assert (
        '<li value="1">Not crowded</li><li value="2">Queue</li><li value="3">Overcrowded</li>'
        in page
    )
    assert "<code>1-5000</code>" in page and "<code>V09=Y</code>" in page
    assert '<li value="13">Other</li>' in page
    assert "<strong>C</strong> = Critical" in page
    assert '<li value="4">Very bad</li>' in page


def test_the_cheat_sheet_is_printed_in_each_language(client, coordinator, mission):
    client.force_login(coordinator)

    russian = html_text(cheatsheet(client, mission, lang="ru"))
    kazakh = html_text(cheatsheet(client, mission, lang="kk"))

    assert 'lang="ru"' in russian and "Очень плохо" in russian
    assert "Отчёт по SMS" in russian
    assert "SMS арқылы есеп" in kazakh
    assert "<strong>V01</strong>" in russian and "<strong>V01</strong>" in kazakh


def test_the_cheat_sheets_example_is_a_report_the_mission_accepts(
    client, coordinator, mission, sms, station
):
    client.force_login(coordinator)
    for stage in ("OPENING", "VOTING", "CLOSING", "COUNTING", "TABULATION"):
        page = cheatsheet(client, mission, stage=stage).content.decode()
        example = re.search(r'<code class="sms-example">([^<]+)</code>', page).group(1)
        assert example.startswith(f"{stage} {station.code} ")

        reply = sms(example)

        assert reply.startswith("OK "), (example, reply)


def test_the_cheat_sheet_warns_of_a_question_coded_like_a_reserved_code(
    client, coordinator, mission
):
    voting = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    voting.questions.filter(code="V13").update(code="T")
    client.force_login(coordinator)

    page = html_text(cheatsheet(client, mission))

    assert "this code is reserved in SMS" in page


def test_a_cheat_sheet_of_another_mission_is_not_found(client, coordinator, mission, other_mission):
    foreign = Checklist.objects.filter(mission=other_mission).first()
    client.force_login(coordinator)

    response = client.get(f"/missions/{mission.pk}/sms/cheatsheet/{foreign.pk}/")

    assert response.status_code == 404


def test_dates_shown_are_the_missions(client, sms, coordinator, mission, clock):
    clock.now = dt.datetime(2022, 11, 20, 4, 0, tzinfo=dt.UTC)  # 10:00 in Almaty
    sms("VOTING X")
    client.force_login(coordinator)

    assert "Nov. 20, 2022 10:00 (Asia/Almaty)" in html_text(client.get(log_url(mission)))


def test_sms_receive_is_what_the_webhooks_and_the_simulator_share(mission, sms_observer, station):
    reply = sms_receive(
        gateway="INBOUND",
        message_id="direct-1",
        sender=OBSERVER_PHONE,
        recipient="",
        text=f"VOTING {station.code} {ANSWERS}",
        now=ELECTION_MORNING,
    )

    assert reply.text == f"OK {Visit.objects.get().pk} {station.code}"
    assert reply.in_reply_to.status == "STORED"
