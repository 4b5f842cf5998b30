"""Reading a coded SMS into the visit API's body (observation/sms/parsing.py): SMS spelling
only; what is valid is decided by visit_submit (tests/observation/sms/test_visit_rules.py)."""

import pytest

from observation.sms.parsing import (
    NO_CODE,
    NO_VALUE,
    TWICE,
    UNREADABLE,
    answer_value,
    payload_build,
    sms_tokenise,
)

SCHEMA = {
    "id": 7,
    "stage": "VOTING",
    "questions": [
        {"code": "V01", "type": "YES_NO", "choices": [], "min": None, "max": None},
        {"code": "v02", "type": "INTEGER", "choices": [], "min": 0, "max": 10},
        {"code": "V03", "type": "CHOICE", "choices": ["NONE", "QUEUE"], "min": None, "max": None},
        {"code": "V04", "type": "MULTI_CHOICE", "choices": ["A", "B", "C"]},
        {"code": "V05", "type": "TEXT", "choices": []},
    ],
}


def build(text, schema=SCHEMA, station="PS1"):
    tokens = sms_tokenise(text)
    return payload_build(
        tokens=tokens,
        schema=schema,
        station_code=station if tokens.station else None,
        arrived_at="2022-11-20T10:05:00+06:00",
        client_uuid="6f1c2a3e-8d4b-4c51-9a7e-2b1d0c9e8f70",
    )


def test_a_message_becomes_the_visit_apis_body():
    payload, readings = build("VOTING PS1 V01=y V02=7 V03=2 V04=1+c V05=Calm T=312 A=3 F=2C F=13m")

    assert payload == {
        "client_uuid": "6f1c2a3e-8d4b-4c51-9a7e-2b1d0c9e8f70",
        "arrived_at": "2022-11-20T10:05:00+06:00",
        "checklist": 7,
        "station_code": "PS1",
        "voters_so_far": 312,
        "assessment": "BAD",
        "answers": {"V01": True, "v02": 7, "V03": "QUEUE", "V04": ["A", "C"], "V05": "Calm"},
        "findings": [
            {"category": "SECRECY", "severity": "CRITICAL", "description": ""},
            {"category": "OTHER", "severity": "MINOR", "description": ""},
        ],
    }
    assert [r.problem for r in readings] == [None] * 9


@pytest.mark.parametrize(
    ("written", "value"),
    [("Y", True), ("yes", True), ("1", True), ("N", False), ("No", False), ("0", False)],
)
def test_yes_no_spellings(written, value):
    assert answer_value(SCHEMA["questions"][0], written) is value


@pytest.mark.parametrize(
    ("question", "written", "value"),
    [
        (0, "maybe", "maybe"),  # passed on as written: the API refuses it
        (1, "-3", -3),  # negative kept: the API refuses it (min 0)
        (1, "3.5", "3.5"),
        (2, "queue", "QUEUE"),
        (2, "3", "3"),  # no third choice
        (3, "2+x", ["B", "x"]),
        (4, "Ok", "Ok"),
    ],
)
def test_values_that_are_not_translated_pass_as_written(question, written, value):
    assert answer_value(SCHEMA["questions"][question], written) == value


def test_the_keyword_and_station_are_the_first_two_words_without_equals():
    tokens = sms_tokenise("  opening   ps-1 \n O01 = y  O02 =n O03= 1 ")

    assert (tokens.keyword, tokens.station) == ("opening", "ps-1")
    assert [(p.code, p.value) for p in tokens.pairs] == [("O01", "y"), ("O02", "n"), ("O03", "1")]


def test_a_message_starting_with_a_pair_has_neither_keyword_nor_station():
    tokens = sms_tokenise("V01=Y V02=3")

    assert (tokens.keyword, tokens.station) == (None, None)
    payload, _readings = build("V01=Y V02=3")
    assert "checklist" in payload and "station_code" not in payload


def test_unreadable_tokens_are_sent_as_what_no_answer_accepts():
    payload, readings = build("VOTING PS1 V01=Y V01=N V02 =5")

    assert payload["answers"]["V01"] == UNREADABLE  # given twice
    assert payload["answers"]["v02"] == 5  # "V02 =5" is "V02=5"
    payload, readings = build("=5 VOTING")
    assert payload["answers"] == {"=5": UNREADABLE, "VOTING": UNREADABLE}
    assert [r.problem for r in readings] == [NO_CODE, NO_VALUE]


def test_reserved_codes_given_twice_or_empty_are_unreadable():
    payload, readings = build("VOTING PS1 T=1 T=2 A= F=")

    assert payload["voters_so_far"] == UNREADABLE
    assert payload["assessment"] == UNREADABLE
    assert payload["findings"] == [UNREADABLE]
    assert [r.problem for r in readings] == [None, TWICE, NO_VALUE, NO_VALUE]


def test_without_a_checklist_answers_pass_as_written():
    payload, _readings = build("VOTE PS1 V01=Y", schema=None)

    assert "checklist" not in payload
    assert payload["answers"] == {"V01": "Y"}


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("V01 = Y V02= 3 V03 =2", ["V01=Y", "V02=3", "V03=2"]),
        ("A= F=2C", ["A=", "F=2C"]),  # an empty value stays empty
        ("V01=Y =3", ["V01=Y", "=3"]),  # a value already given: "=3" has no code
    ],
)
def test_spaces_around_equals_join_a_pair_only_when_it_is_one(text, pairs):
    assert [pair.token for pair in sms_tokenise(f"VOTING PS1 {text}").pairs] == pairs
