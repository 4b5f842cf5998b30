"""A gateway that delivers the same message twice at once (its retry overtaking the first
answer) makes one visit, and both deliveries get the same reply."""

import threading

import pytest
from django.db import connection
from django.test import Client

from observation.models import SmsMessage, Visit
from observation.sms import selectors

from .conftest import inbound_post

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = "V01=N V03=Y V04=Y V05=N V06=N V07=2 V08=N V09=N V11=N V12=N"


def test_two_deliveries_of_one_message_at_once_make_one_visit(
    clock, sms_observer, station, monkeypatch
):
    # Hold both deliveries after each has looked for the message and found none.
    both_looked = threading.Barrier(2, timeout=10)
    real_lookup = selectors.observer_for_phone

    def lookup_then_wait(**kwargs):
        observer = real_lookup(**kwargs)
        both_looked.wait()
        return observer

    monkeypatch.setattr(selectors, "observer_for_phone", lookup_then_wait)
    replies, problems = [], []

    def deliver():
        try:
            response = inbound_post(Client(), f"VOTING {station.code} {ANSWERS}", id="same-id")
            replies.append((response.status_code, response.json()["reply"]))
        except Exception as exc:  # noqa: BLE001 - reported below
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert problems == []
    visit = Visit.objects.get()
    assert replies == [(200, f"OK {visit.pk} {station.code}")] * 2
    assert SmsMessage.objects.count() == 2  # the message and its reply, once
