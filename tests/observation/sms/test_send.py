"""sms_send (observation/sms/services.py): messages to observers by SMS through Twilio's REST
API when a gateway is configured; nothing at all when none is."""

from urllib.parse import parse_qs

import pytest

from observation.models import SmsMessage
from observation.sms.services import sms_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings):
    settings.SMS_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.SMS_FROM = "+77000000000"


def test_without_a_gateway_nothing_is_sent_or_stored(
    twilio_api, mission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to="+77011234567", text="Polls close at 20:00", mission=mission)

    assert message is None
    assert not SmsMessage.objects.exists()
    assert twilio_api.calls == []


def test_with_twilio_configured_the_message_goes_through_its_rest_api(
    gateway, twilio_api, mission, sms_observer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(
            to=sms_observer.phone,
            text="Polls close at 20:00",
            mission=mission,
            observer=sms_observer,
        )

    (call,) = twilio_api.calls
    assert call.url.endswith(f"/Accounts/AC{'0' * 32}/Messages.json")
    assert parse_qs(call.body) == {
        "To": [sms_observer.phone],
        "From": ["+77000000000"],
        "Body": ["Polls close at 20:00"],
    }
    message.refresh_from_db()
    assert (message.status, message.gateway_message_id) == ("SENT", "SM" + "f" * 32)
    assert (message.direction, message.mission, message.observer) == ("OUT", mission, sms_observer)


def test_nothing_is_sent_until_the_transaction_commits(
    gateway, twilio_api, mission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = sms_send(to="+77011234567", text="Hello", mission=mission)

    assert twilio_api.calls == []
    assert message.status == "QUEUED" and len(callbacks) == 1


def test_a_refusal_by_twilio_is_kept_as_failed(
    gateway, twilio_api, mission, django_capture_on_commit_callbacks
):
    twilio_api.status = 400

    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to="+7", text="Hello", mission=mission)

    message.refresh_from_db()
    assert message.status == "FAILED"
    assert "not valid" in message.error


def test_delivering_twice_sends_once(
    gateway, twilio_api, mission, django_capture_on_commit_callbacks
):
    from observation.sms.tasks import sms_deliver_task

    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to="+77011234567", text="Hello", mission=mission)
    sms_deliver_task.delay(message_id=message.pk)  # a redelivered task

    assert len(twilio_api.calls) == 1


def test_a_message_sent_shows_in_the_missions_sms_log(
    client, gateway, twilio_api, mission, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sms_send(to="+77011234567", text="Polls close <soon>", mission=mission)
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/sms/").content.decode()

    assert "Polls close &lt;soon&gt;" in page
    assert 'class="badge SENT"' in page and "+77011234567" in page
