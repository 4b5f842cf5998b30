"""Reports by SMS: a mission whose observer has a phone, the gateways configured, and the
clock on the election day (the message's arrival time is the visit's ``arrived_at``)."""

import datetime as dt
import itertools
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

TWILIO_TOKEN = "twilio-auth-token-for-tests"
INBOUND_SECRET = "inbound-secret-for-tests"
TWILIO_URL = "http://testserver/api/v1/sms/twilio/"
INBOUND_URL = "/api/v1/sms/inbound/"
OBSERVER_PHONE = "+77011234567"
# 10:05 in Almaty on the factories' election day.
ELECTION_MORNING = dt.datetime(2022, 11, 20, 10, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty"))

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def sms_settings(settings):
    settings.SMS_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.SMS_INBOUND_SECRET = INBOUND_SECRET
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    settings.SMS_FROM = ""
    settings.SMS_TWILIO_WEBHOOK_URL = ""
    return settings


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now()`` is ``clock.now`` (the election morning unless a test moves it)."""

    class Clock:
        now = ELECTION_MORNING

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def sms_observer(observer):
    observer.phone = OBSERVER_PHONE
    observer.save(update_fields=["phone"])
    return observer


def message_id() -> str:
    return f"SM{next(_ids):032d}"


def twilio_params(text, *, sender=OBSERVER_PHONE, to="+77000000000", sid=None) -> dict:
    return {"MessageSid": sid or message_id(), "From": sender, "To": to, "Body": text}


def twilio_post(client: Client, params: dict, *, signature=None, url=TWILIO_URL):
    """POST the form Twilio would, signed with the test token by Twilio's own library."""
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(
        url, urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )


def inbound_post(client: Client, text, *, sender=OBSERVER_PHONE, to="", id=None, secret=None):
    body = {"from": sender, "to": to, "text": text, "id": id or message_id()}
    return client.post(
        INBOUND_URL,
        body,
        content_type="application/json",
        HTTP_X_SMS_SECRET=INBOUND_SECRET if secret is None else secret,
    )


@pytest.fixture
def sms(client, clock, sms_observer):
    """``sms("VOTING ...")`` sends a message from the observer's phone through the generic
    webhook and returns the reply text."""

    def send(text, **kwargs):
        response = inbound_post(client, text, **kwargs)
        assert response.status_code == 200, response.content
        return response.json()["reply"]

    return send
