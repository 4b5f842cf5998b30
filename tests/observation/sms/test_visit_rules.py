"""Every rule of POST /api/v1/visits/ holds for a report by SMS: the message is read into the
same body and checked by the same ``visit_submit``. A refused message stores nothing, keeps
the API's own 400 body (``SmsMessage.problems``) and its reply names every problem."""

import pytest

from observation.models import Checklist, SmsMessage, Visit

pytestmark = pytest.mark.django_db

# Every required VOTING answer, skip logic closed (tests/observation/conftest.py's answers).
ANSWERS = "V01=N V03=Y V04=Y V05=N V06=N V07=2 V08=N V09=N V11=N V12=N"


def refused(sms, text):
    """Send ``text``; the reply and the visit API's 400 body kept with the message."""
    reply = sms(text)
    inbound = SmsMessage.objects.filter(direction="IN").latest("id")
    assert inbound.status == "REFUSED", reply
    assert not Visit.objects.exists()
    return reply, inbound.problems


def test_a_valid_report_is_stored(sms, station):
    reply = sms(f"VOTING {station.code} {ANSWERS} T=312 A=1")

    visit = Visit.objects.get()
    assert reply == f"OK {visit.pk} {station.code}"
    assert visit.assessment == "VERY_GOOD"


def test_codes_values_keywords_and_station_codes_are_case_insensitive(sms, station):
    answers = ANSWERS.lower().replace("v07=2", "v07=queue")

    reply = sms(f"voting {station.code.lower()} {answers} a=4 f=13m")

    visit = Visit.objects.get()
    assert reply.startswith("OK ")
    assert (visit.answers["V07"], visit.assessment) == ("QUEUE", "VERY_BAD")
    assert list(visit.findings.values_list("category", "severity")) == [("OTHER", "MINOR")]


def test_yes_no_choice_multi_choice_and_repeated_findings_are_read(sms, station):
    reply = sms(
        f"VOTING {station.code} V01=YES V02=1+LOCAL_AUTHORITY+5 V03=1 V04=yes V05=no V06=0 "
        "V07=OVERCROWDED V08=N V09=Y V10=40 V11=N V12=N F=1S F=2c"
    )

    assert reply.startswith("OK "), reply
    visit = Visit.objects.get()
    assert visit.answers["V02"] == ["POLICE", "LOCAL_AUTHORITY", "OTHER"]
    assert visit.answers["V07"] == "OVERCROWDED" and visit.answers["V10"] == 40
    assert sorted(visit.findings.values_list("category", "severity")) == [
        ("SECRECY", "CRITICAL"),
        ("UNAUTHORIZED_PERSONS", "SERIOUS"),
    ]


def test_spaces_around_equals_are_forgiven(sms, station):
    reply = sms(f"VOTING  {station.code}\n{ANSWERS.replace('=', ' = ')}  T= 12")

    assert reply.startswith("OK "), reply


def test_a_coordinators_keyword_names_the_checklist(sms, station, mission):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    checklist.sms_keyword = "V"
    checklist.save(update_fields=["sms_keyword"])

    reply = sms(f"v {station.code} {ANSWERS}")

    assert reply.startswith("OK ")
    assert Visit.objects.get().checklist == checklist


# --- The 400 rules of API.md, one by one ----------------------------------------------------


def test_unknown_station(sms, station):
    reply, problems = refused(sms, f"VOTING PS-NOWHERE {ANSWERS}")

    assert reply == "Not stored: station PS-NOWHERE unknown"
    assert "station_code" in problems


def test_missing_station(sms):
    reply, problems = refused(sms, f"VOTING {ANSWERS}")

    assert reply == "Not stored: no station code"
    assert "station" in problems


def test_unknown_checklist_keyword(sms, station):
    reply, problems = refused(sms, f"VOTE {station.code} {ANSWERS}")

    assert reply == "Not stored: form VOTE unknown"
    assert "checklist" in problems


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("V03=maybe", "V03=maybe: Y/N"),  # YES_NO
        ("V07=QUICK", "V07=QUICK: 1-3"),  # CHOICE, neither a value nor a position
        ("V07=4", "V07=4: 1-3"),  # CHOICE, no 4th choice
        ("V13=", "V13: no value"),
    ],
)
def test_answers_of_the_wrong_type_or_not_among_choices(sms, station, change, named):
    code = change.split("=")[0]
    answers = " ".join(a for a in ANSWERS.split() if not a.startswith(code + "=")) + " " + change

    reply, problems = refused(sms, f"VOTING {station.code} {answers}")

    assert reply == f"Not stored: {named}"
    assert list(problems["answers"]) == [code]


def test_multi_choice_values_must_be_choices(sms, station):
    answers = ANSWERS.replace("V01=N", "V01=Y V02=1+9")

    reply, problems = refused(sms, f"VOTING {station.code} {answers}")

    assert reply == "Not stored: V02=1+9: 1-5, 1+2"
    assert "'9' not among the choices" in problems["answers"]["V02"][0]


@pytest.mark.parametrize(
    ("stage", "message", "named", "code"),
    [
        ("OPENING", "O01=Y O02=Y O03=Y O04=51 O05=Y O07=N O09=Y", "O04=51: 0-50", "O04"),
        ("OPENING", "O01=Y O02=Y O03=Y O04=-1 O05=Y O07=N O09=Y", "O04=-1: 0-50", "O04"),
        ("OPENING", "O01=Y O02=Y O03=Y O04=3 O05=N O06=0 O07=N O09=Y", "O06=0: 1-600", "O06"),
        ("OPENING", "O01=Y O02=Y O03=Y O04=a3 O05=Y O07=N O09=Y", "O04=a3: 0-50", "O04"),
    ],
)
def test_numbers_out_of_range_negative_or_not_numbers(sms, station, stage, message, named, code):
    reply, problems = refused(sms, f"{stage} {station.code} {message}")

    assert reply == f"Not stored: {named}"
    assert list(problems["answers"]) == [code]


def test_negative_and_unreadable_counts_of_voters(sms, station):
    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS} T=-5")

    assert reply == "Not stored: T=-5: 0+"
    assert "voters_so_far" in problems
    reply, _problems = refused(sms, f"VOTING {station.code} {ANSWERS} T=many")
    assert reply == "Not stored: T=many: 0+"


def test_unknown_codes(sms, station):
    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS} Q9=1 O01=Y")

    assert reply == "Not stored: Q9 unknown; O01 unknown"
    assert set(problems["answers"]) == {"Q9", "O01"}


def test_required_answers_missing(sms, station):
    answers = ANSWERS.replace("V03=Y ", "").replace(" V12=N", "")

    reply, problems = refused(sms, f"VOTING {station.code} {answers}")

    assert reply == "Not stored: V03 missing; V12 missing"
    assert set(problems["answers"]) == {"V03", "V12"}


def test_an_answer_to_a_question_not_asked(sms, station):
    """V10 is asked only when V09 is yes (its show_if)."""
    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS} V10=5")

    assert reply == "Not stored: V10 only if V09=Y"
    assert "only applies when V09 is true" in problems["answers"]["V10"][0]


def test_assessment_and_findings_out_of_their_lists(sms, station):
    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS} A=5 F=14C F=2X F=3S F=")

    assert reply == ("Not stored: A=5: 1-4; F=14C: 1-13 M/S/C; F=2X: 1-13 M/S/C; F: no value")
    assert "assessment" in problems
    assert [bool(item) for item in problems["findings"]] == [True, True, False, True]


def test_a_message_outside_the_election_day(sms, station, clock):
    clock.now = clock.now.replace(day=21)

    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS}")

    assert reply == "Not stored: not election day"
    assert "arrived_at" in problems


def test_a_code_given_twice_or_a_word_without_a_value(sms, station):
    reply, problems = refused(sms, f"VOTING {station.code} {ANSWERS} V01=Y HELLO")

    assert reply == "Not stored: V01 twice; HELLO: no value"
    assert set(problems["answers"]) == {"V01", "HELLO"}


def test_a_reply_names_problems_in_the_order_they_were_written(sms, station):
    answers = ANSWERS.replace("V03=Y", "V03=maybe").replace("V12=N", "")

    reply, _problems = refused(sms, f"VOTING {station.code} T=-1 {answers} A=9")

    assert reply == "Not stored: T=-1: 0+; V03=maybe: Y/N; A=9: 1-4; V12 missing"


def test_every_problem_is_named_when_they_fit_one_segment(sms, station):
    reply, problems = refused(sms, f"VOTING {station.code}")

    assert len(problems["answers"]) == 10
    assert reply == "Not stored: " + "; ".join(
        f"{code} missing"
        for code in ("V01", "V03", "V04", "V05", "V06", "V07", "V08") + ("V09", "V11", "V12")
    )
    assert len(reply) <= 160


def test_more_problems_than_fit_are_counted(sms, station):
    wrong = " ".join(f"{a.split('=')[0]}=maybe" for a in ANSWERS.split())

    reply, problems = refused(sms, f"VOTING {station.code} {wrong}")

    assert len(problems["answers"]) == 10
    assert reply.startswith("Not stored: V01=maybe: Y/N; V03=maybe: Y/N; ")
    assert reply.endswith(" more")
    shown = reply.count("=maybe")
    assert reply.endswith(f" +{10 - shown} more")
    assert len(reply) <= 160
