"""A yes/no question becomes the sentence a statement makes of its "yes" share."""

import pytest

from observation.checklists.defaults import DEFAULT_CHECKLISTS
from reports.statistics.phrasing import yes_statement


@pytest.mark.parametrize(
    ("question", "statement"),
    [
        ("Were unauthorised persons present?", "Unauthorised persons were present"),
        (
            "Were the ballot boxes shown empty and sealed?",
            "The ballot boxes were shown empty and sealed",
        ),
        ("Was the voters' identity checked?", "The voters' identity was checked"),
        ("Were there indications of ballot stuffing?", "There were indications of ballot stuffing"),
        (
            "Was there campaigning in or around the station?",
            "There was campaigning in or around the station",
        ),
        ("Did the station open on time?", "The station opened on time"),
        ("Did the station close on time?", "The station closed on time"),
        ("Did observers receive a copy?", "Observers received a copy"),
        (
            "Were unused ballots cancelled before the box was opened?",
            "Unused ballots were cancelled before the box was opened",
        ),
        ("Were observers able to follow the process?", "Observers were able to follow the process"),
        ("Has the protocol been posted?", "The protocol has been posted"),
    ],
)
def test_questions_become_statements(question, statement):
    assert yes_statement(question) == statement


@pytest.mark.parametrize(
    "question",
    [
        "How crowded was the station?",
        "Secrecy ensured",
        "Were <b>voters</b> present?",
        "",
        "Was it?",
    ],
)
def test_other_shapes_are_left_to_the_caller(question):
    assert yes_statement(question) is None


def test_every_default_yes_no_question_reads_as_a_statement():
    texts = [
        q["text"]
        for questions in DEFAULT_CHECKLISTS.values()
        for q in questions
        if q["type"] == "YES_NO"
    ]

    assert texts and all(yes_statement(text) for text in texts)
