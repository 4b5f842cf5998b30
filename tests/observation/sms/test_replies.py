"""Replies in the observer's language, within one SMS segment where possible
(observation/sms/replies.py): 160 GSM 03.38 characters, or 70 when one is Cyrillic."""

import pytest

from missions.models import Profile
from observation.models import SmsMessage, SmsNumber, Visit
from observation.sms.replies import sms_length

pytestmark = pytest.mark.django_db

ANSWERS = "V01=N V03=Y V04=Y V05=N V06=N V07=2 V08=N V09=N V11=N V12=N"
WRONG = " ".join(f"{answer.split('=')[0]}=maybe" for answer in ANSWERS.split())


@pytest.mark.parametrize(
    ("text", "length", "capacity"),
    [
        ("OK 12 PS-001", 12, 160),
        ("a{b}c", 7, 160),  # GSM's extension characters take two septets
        ("é€", 3, 160),
        ("Не принято", 10, 70),
        ("OK 😀", 5, 70),  # outside the BMP: two UTF-16 code units
    ],
)
def test_sms_length_counts_as_phones_do(text, length, capacity):
    assert sms_length(text) == (length, capacity)


@pytest.fixture
def speaks(sms_observer):
    def set_languages(languages):
        sms_observer.languages = languages
        sms_observer.save(update_fields=["languages"])

    return set_languages


@pytest.mark.parametrize(
    ("languages", "header", "more"),
    [("ru", "Не принято: ", "ещё"), ("kk, ru", "Қабылданбады: ", "тағы"), ("de, ru", "Не", "ещё")],
)
def test_a_cyrillic_reply_names_the_first_problems_within_70_characters(
    sms, station, speaks, languages, header, more
):
    speaks(languages)

    reply = sms(f"VOTING {station.code} {WRONG}")

    length, capacity = sms_length(reply)
    assert capacity == 70 and length <= 70, reply
    assert reply.startswith(header)
    shown = reply.count("=maybe: Y/N")
    assert shown >= 1
    assert reply.endswith(f"+{10 - shown} {more}")
    assert not Visit.objects.exists()


def test_a_russian_reply_names_each_kind_of_problem(sms, station, speaks):
    speaks("ru")

    assert sms(f"VOTING {station.code} {ANSWERS} V10=5") == "Не принято: V10 только если V09=Y"
    assert sms(f"VOTING PS-X {ANSWERS}") == "Не принято: участок PS-X неизвестен"
    assert sms(f"VOTE {station.code} {ANSWERS}") == "Не принято: форма VOTE неизвестна"
    assert sms(f"VOTING {station.code} {ANSWERS.replace(' V12=N', '')}") == "Не принято: нет V12"


def test_a_valid_report_is_answered_ok_in_every_language(sms, station, speaks):
    speaks("kk")

    reply = sms(f"VOTING {station.code} {ANSWERS}")

    assert reply == f"OK {Visit.objects.get().pk} {station.code}"


def test_an_observer_without_a_known_language_gets_the_default(sms, station, speaks):
    speaks("")

    assert sms(f"VOTING PS-X {ANSWERS}") == "Not stored: station PS-X unknown"


def test_the_unknown_number_reply_fits_one_segment_in_every_language(sms, mission, settings):
    SmsNumber.objects.create(mission=mission, number="+77000000000")
    replies = {}
    for language, _name in settings.LANGUAGES:
        settings.LANGUAGE_CODE = language  # a mission without languages answers in the default
        replies[language] = sms("hello", sender="+77779998877", to="+77000000000")

    for language, reply in replies.items():
        length, capacity = sms_length(reply)
        assert length <= capacity, (language, reply)
    assert len(set(replies.values())) == len(replies)  # each in its own language
    assert SmsMessage.objects.filter(status="UNKNOWN_SENDER").count() == len(replies)


def test_a_reply_too_long_for_one_segment_still_names_its_first_problem(sms, speaks):
    speaks("ru")
    code = "ОЧЕНЬ-ДЛИННЫЙ-КОД-УЧАСТКА-КОТОРОГО-НЕТ-В-МИССИИ-ВОВСЕ"

    reply = sms(f"VOTING {code} {ANSWERS}")

    assert reply == f"Не принято: участок {code} неизвестен"
    assert sms_length(reply)[0] > 70  # sent over two segments rather than not named


def test_the_reply_follows_the_language_on_the_observers_account(sms, station, sms_observer):
    """The observer chose French on the switcher: their SMS replies follow, whatever the
    import's languages said."""
    sms_observer.languages = "ru"
    sms_observer.save(update_fields=["languages"])
    Profile.objects.create(user=sms_observer.user, language="fr")

    reply = sms(f"VOTING PS-X {ANSWERS}")

    assert reply == "Non enregistré : bureau PS-X inconnu"
