"""POST /api/v1/sms/twilio/ and /api/v1/sms/inbound/ (API.md, "SMS reports"): who may post,
what is stored, what is answered, replays and unknown numbers."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from missions.models import AuditEvent
from observation.models import SmsMessage, SmsNumber, Visit
from tests.missions.factories import StationFactory

from .conftest import (
    OBSERVER_PHONE,
    TWILIO_TOKEN,
    TWILIO_URL,
    inbound_post,
    message_id,
    twilio_params,
    twilio_post,
)

pytestmark = pytest.mark.django_db

VALID = "VOTING {code} V01=N V03=Y V04=Y V05=N V06=N V07=2 V08=N V09=N V11=N V12=N T=312 A=2 F=2C"


def twiml_message(response) -> str:
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    (message,) = root.findall("Message")
    return message.text


def nothing_stored():
    return not SmsMessage.objects.exists() and not Visit.objects.exists()


# --- Twilio ---------------------------------------------------------------------------------


def test_a_signed_twilio_report_is_stored_and_answered_in_twiml(
    client, clock, sms_observer, station
):
    params = twilio_params(VALID.format(code=station.code))

    response = twilio_post(client, params)

    assert response.status_code == 200
    visit = Visit.objects.get()
    assert twiml_message(response) == f"OK {visit.pk} {station.code}"
    assert (visit.observer, visit.station, visit.stage) == (sms_observer, station, "VOTING")
    assert visit.arrived_at == clock.now  # the time the message arrived
    assert (visit.voters_so_far, visit.assessment) == (312, "GOOD")
    assert visit.answers["V07"] == "QUEUE" and visit.answers["V01"] is False
    assert list(visit.findings.values_list("category", "severity")) == [("SECRECY", "CRITICAL")]
    inbound = SmsMessage.objects.get(direction="IN")
    assert (inbound.status, inbound.visit, inbound.gateway) == ("STORED", visit, "TWILIO")
    assert inbound.gateway_message_id == params["MessageSid"]
    # The visit is audited like one from the API, by the observer.
    event = AuditEvent.objects.get(action="visit.submit")
    assert event.actor == sms_observer.user


def test_twilio_signature_uses_the_public_url_when_configured(
    client, clock, sms_observer, station, settings
):
    settings.SMS_TWILIO_WEBHOOK_URL = "https://observatory.example.org/api/v1/sms/twilio/"
    params = twilio_params(VALID.format(code=station.code))
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        settings.SMS_TWILIO_WEBHOOK_URL, params
    )

    assert twilio_post(client, params, signature=signature).status_code == 200
    # Signed for the URL the request reached instead: not Twilio's signature of this webhook.
    other = twilio_params(VALID.format(code=station.code))
    assert twilio_post(client, other).status_code == 403


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        "bm90IGEgc2lnbmF0dXJl",  # not Twilio's
        RequestValidator("another-token").compute_signature(
            TWILIO_URL, {"MessageSid": "SM1", "From": OBSERVER_PHONE, "To": "", "Body": "X"}
        ),
    ],
    ids=["missing", "garbage", "other-token"],
)
def test_a_missing_or_wrong_signature_is_a_403_and_stores_nothing(
    client, clock, sms_observer, station, signature
):
    params = twilio_params(VALID.format(code=station.code))

    response = twilio_post(client, params, signature=signature)

    assert response.status_code == 403
    assert nothing_stored()


def test_a_signature_of_other_parameters_is_refused(client, clock, sms_observer, station):
    """The signature covers the body: a signed message with its text changed is refused."""
    params = twilio_params(VALID.format(code=station.code))
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(TWILIO_URL, params)
    params["Body"] = params["Body"].replace("A=2", "A=4")

    assert twilio_post(client, params, signature=signature).status_code == 403
    assert nothing_stored()


def test_without_an_auth_token_the_twilio_webhook_refuses_everyone(
    client, clock, sms_observer, station, settings
):
    params = twilio_params(VALID.format(code=station.code))
    signature = RequestValidator("").compute_signature(TWILIO_URL, params)
    settings.SMS_TWILIO_AUTH_TOKEN = ""

    assert twilio_post(client, params, signature=signature).status_code == 403
    assert nothing_stored()


def test_a_signed_request_without_message_sid_is_a_400(client, clock, sms_observer):
    params = {"From": OBSERVER_PHONE, "Body": "VOTING X"}

    response = twilio_post(client, params)

    assert response.status_code == 400
    assert "MessageSid" in response.json()
    assert nothing_stored()


def test_the_twiml_reply_escapes_what_the_observer_wrote(client, clock, sms_observer):
    params = twilio_params("VOTING <b>&x</b>")

    response = twilio_post(client, params)

    assert response.status_code == 200
    assert b"<b>" not in response.content
    assert twiml_message(response).startswith("Not stored: station <b>&x</b> unknown; ")


# --- The generic gateway --------------------------------------------------------------------


def test_a_report_through_the_generic_gateway_is_answered_in_json(
    client, clock, sms_observer, station
):
    response = inbound_post(client, VALID.format(code=station.code).lower())

    assert response.status_code == 200
    visit = Visit.objects.get()
    assert response.json() == {"reply": f"OK {visit.pk} {station.code}"}


def test_a_report_costs_a_fixed_number_of_queries(
    client, clock, sms_observer, station, django_assert_max_num_queries
):
    inbound_post(client, VALID.format(code=station.code))  # the checklist's schema is cached
    clock.now = clock.now.replace(hour=11)

    # Savepoints included: lookups of the message, observer, checklist and station, the
    # visit's checks and its one-statement insert, the log rows.
    with django_assert_max_num_queries(17):
        response = inbound_post(client, VALID.format(code=station.code))

    assert response.json()["reply"].startswith("OK ")


@pytest.mark.parametrize("secret", ["", "wrong"], ids=["missing", "wrong"])
def test_a_missing_or_wrong_secret_is_a_403_and_stores_nothing(
    client, clock, sms_observer, station, secret
):
    response = inbound_post(client, VALID.format(code=station.code), secret=secret)

    assert response.status_code == 403
    assert nothing_stored()


def test_without_a_configured_secret_the_generic_webhook_refuses_everyone(
    client, clock, sms_observer, station, settings
):
    settings.SMS_INBOUND_SECRET = ""

    response = inbound_post(client, VALID.format(code=station.code), secret="")

    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": OBSERVER_PHONE, "text": "VOTING"}, "id"),
        ({"id": "1", "text": "VOTING"}, "from"),
        ({"id": "1", "from": OBSERVER_PHONE, "text": "x" * 1601}, "text"),
        ({"id": "1", "from": OBSERVER_PHONE, "text": "VOTING \x00"}, "text"),
    ],
)
def test_a_malformed_message_is_a_400(client, clock, sms_observer, body, field):
    response = client.post(
        "/api/v1/sms/inbound/",
        body,
        content_type="application/json",
        HTTP_X_SMS_SECRET="inbound-secret-for-tests",
    )

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_stored()


def test_webhooks_need_no_csrf_token_but_the_pages_do(
    clock, sms_observer, station, coordinator, mission
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)

    twilio = twilio_post(browser, twilio_params(VALID.format(code=station.code)))
    generic = inbound_post(browser, VALID.format(code=station.code).replace("A=2", "A=1"))
    simulator = browser.post(
        f"/missions/{mission.pk}/sms/simulator/",
        {"sender": OBSERVER_PHONE, "text": "VOTING X", "message_id": "0" * 32},
    )
    settings_form = browser.post(f"/missions/{mission.pk}/sms/settings/", {"numbers": ""})

    assert (twilio.status_code, generic.status_code) == (200, 200)
    assert (simulator.status_code, settings_form.status_code) == (403, 403)
    assert Visit.objects.count() == 2
    assert SmsMessage.objects.filter(gateway="SIMULATOR").count() == 0


# --- Replays --------------------------------------------------------------------------------


@pytest.mark.parametrize("valid", [True, False], ids=["stored", "refused"])
def test_the_same_message_sid_again_stores_nothing_and_gets_the_same_reply(
    client, clock, sms_observer, station, valid
):
    text = VALID.format(code=station.code) if valid else "VOTING NOWHERE V01=N"
    params = twilio_params(text)
    first = twilio_post(client, params)
    counts = (Visit.objects.count(), SmsMessage.objects.count(), AuditEvent.objects.count())
    clock.now = clock.now.replace(minute=30)  # the gateway retries later

    again = twilio_post(client, params)

    assert again.status_code == 200
    assert twiml_message(again) == twiml_message(first)
    assert (Visit.objects.count(), SmsMessage.objects.count(), AuditEvent.objects.count()) == (
        counts
    )
    assert Visit.objects.count() == (1 if valid else 0)


def test_a_replay_through_the_generic_gateway_gets_the_same_reply(
    client, clock, sms_observer, station
):
    first = inbound_post(client, VALID.format(code=station.code), id="abc-1")
    again = inbound_post(client, VALID.format(code=station.code), id="abc-1")

    assert first.json() == again.json()
    assert Visit.objects.count() == 1


def test_the_same_text_under_a_new_message_id_is_a_new_report(client, clock, sms_observer, station):
    first = inbound_post(client, VALID.format(code=station.code))
    clock.now = clock.now.replace(hour=11)
    second = inbound_post(client, VALID.format(code=station.code))

    assert first.json() != second.json()
    assert Visit.objects.count() == 2


def test_ids_of_different_gateways_do_not_collide(client, clock, sms_observer, station):
    sid = message_id()
    twilio_post(client, twilio_params(VALID.format(code=station.code), sid=sid))
    clock.now = clock.now.replace(hour=11)

    response = inbound_post(client, VALID.format(code=station.code), id=sid)

    assert response.json()["reply"].startswith("OK ")
    assert Visit.objects.count() == 2


# --- Unknown numbers ------------------------------------------------------------------------


def test_an_unknown_number_is_told_so_stores_no_visit_and_is_logged(
    client, clock, sms_observer, station, mission, caplog
):
    SmsNumber.objects.create(mission=mission, number="+77000000000")
    params = twilio_params(VALID.format(code=station.code), sender="+77779998877")

    with caplog.at_level("INFO", logger="observation.sms.services"):
        response = twilio_post(client, params)

    assert response.status_code == 200
    assert "not an observer's phone" in twiml_message(response)
    assert not Visit.objects.exists()
    inbound = SmsMessage.objects.get(direction="IN")
    assert (inbound.status, inbound.mission, inbound.sender) == (
        "UNKNOWN_SENDER",
        mission,
        "+77779998877",
    )
    assert inbound.reply.text == twiml_message(response)
    assert "+77779998877" in caplog.text


def test_an_unknown_number_is_tied_to_the_mission_of_the_station_it_names(
    client, clock, sms_observer, station, mission
):
    inbound_post(client, f"VOTING {station.code.lower()} V01=N", sender="+77779998877")

    assert SmsMessage.objects.get(direction="IN").mission == mission


def test_an_unknown_number_that_names_nothing_known_is_kept_for_platform_staff(
    client, clock, sms_observer
):
    reply = inbound_post(client, "hello", sender="+77779998877").json()["reply"]

    inbound = SmsMessage.objects.get(direction="IN")
    assert inbound.mission is None and inbound.status == "UNKNOWN_SENDER"
    assert "not an observer's phone" in reply


def test_a_number_of_two_missions_reports_to_the_one_whose_number_it_texted(
    client, clock, sms_observer, station, other_mission
):
    from tests.missions.factories import ObserverFactory

    twin = ObserverFactory(mission=other_mission, phone=OBSERVER_PHONE)
    other_station = StationFactory(district__parent__mission=other_mission)
    SmsNumber.objects.create(mission=other_mission, number="+77000000001")

    reply = inbound_post(client, VALID.format(code=other_station.code), to="+77000000001")

    visit = Visit.objects.get()
    assert reply.json()["reply"] == f"OK {visit.pk} {other_station.code}"
    assert visit.observer == twin


def test_an_observer_cannot_report_at_another_missions_station(
    client, clock, sms_observer, foreign_station
):
    reply = inbound_post(client, VALID.format(code=foreign_station.code)).json()["reply"]

    assert reply == f"Not stored: station {foreign_station.code} unknown"
    assert not Visit.objects.exists()
