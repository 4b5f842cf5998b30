"""The demo's answers to checklist questions, and the votes on counting forms."""

import random

from observation.checklists.defaults import FINDING_EVIDENCE

PROBLEM_QUESTIONS = {
    "O07",
    "O09",
    "V01",
    "V05",
    "V06",
    "V08",
    "V09",
    "V11",
    "V12",
    "L03",
    "L04",
    "C11",
    "T02",
    "T03",
}

# Fictional candidates (code, name, national share of valid votes).
CANDIDATES = [
    ("NURLANOVA", "Asel Nurlanova", 0.62),
    ("SEITKALI", "Bolat Seitkali", 0.21),
    ("OMAROVA", "Dana Omarova", 0.11),
    ("KASSYMOV", "Yerlan Kassymov", 0.06),
]
# About one count in thirty does not reconcile (a slip of a few ballots), as in real protocols.
PVT_SLIP_RATE = 1 / 30


def _answers(
    questions, rng, *, bad: bool, counts: dict | None = None, given: dict | None = None
) -> dict:
    """A visit's answers; ``counts`` and ``given`` (the answers its findings call for, see
    ``findings_answers``) are taken as they are, and the questions they open are answered."""
    answers = {}
    for question in questions:
        condition = question.show_if
        if condition and answers.get(condition["question"]) != condition["equals"]:
            continue
        if given and question.code in given:
            answers[question.code] = given[question.code]
        elif counts and question.code in counts:
            answers[question.code] = counts[question.code]
        elif question.type == "YES_NO":
            problem = question.code in PROBLEM_QUESTIONS
            p_true = (0.35 if bad else 0.05) if problem else (0.7 if bad else 0.96)
            answers[question.code] = rng.random() < p_true
        elif question.type == "INTEGER":
            low = question.min if question.min is not None else 0
            high = min(question.max if question.max is not None else low + 20, low + 20)
            answers[question.code] = rng.randint(low, high)
        elif question.type == "CHOICE":
            answers[question.code] = rng.choice([_value(c) for c in question.choices])
        elif question.type == "MULTI_CHOICE":
            values = [_value(c) for c in question.choices]
            answers[question.code] = rng.sample(values, rng.randint(1, min(2, len(values))))
        elif question.required:
            answers[question.code] = "-"
    return answers


def findings_answers(categories, questions, rng) -> dict:
    """The answers a visit's findings call for (``FINDING_EVIDENCE``): for each finding whose
    category a question of this checklist speaks to, one such question answered with the
    problem. A "Family voting" finding comes with V08 "Yes" (issue 20: the demo had it on a
    visit that answered "No")."""
    codes = {question.code for question in questions}
    given = {}
    for category in categories:
        evidence = [
            (code, problem)
            for code, problem in FINDING_EVIDENCE.get(category, {}).items()
            if code in codes
        ]
        if evidence and not any(given.get(code) == problem for code, problem in evidence):
            code, problem = rng.choice(evidence)
            given[code] = problem
    return given


def _value(choice):
    return choice["value"] if isinstance(choice, dict) else choice


def _pvt_counts(station, *, ballots: int, invalid: int) -> dict:
    """Each candidate's votes at one station, consistent with its ballots and invalid ballots.

    Shares vary by station around the national ones (rural stations lean to the leader); a
    random stream of the station's own keeps the main stream, and so every other visit, as
    it was.
    """
    rng = random.Random(f"pvt-{station.code}")
    lean = 1.15 if station.urban is False else 0.95
    weights = [
        share * (lean if index == 0 else 1) * rng.uniform(0.75, 1.25)
        for index, (_code, _name, share) in enumerate(CANDIDATES)
    ]
    valid = max(0, ballots - invalid)
    total = sum(weights)
    votes = [int(valid * w / total) for w in weights]
    votes[0] += valid - sum(votes)
    counts = {f"PVT_{code}": v for (code, _name, _share), v in zip(CANDIDATES, votes)}
    box = ballots
    if rng.random() < PVT_SLIP_RATE:
        box += rng.choice([-3, -2, -1, 1, 2, 4])
    counts["PVT_INVALID"] = invalid
    counts["PVT_BALLOTS"] = max(0, min(box, 10000))
    return counts


def counting_answers(station, *, received: int, ballots: int, invalid: int) -> dict:
    """The counting form's figures (C02..C06) and the candidates' votes at one station."""
    return {
        "C02": min(received, 10000),
        "C03": min(ballots, 10000),
        "C04": min(received - ballots, 10000),
        "C05": min(ballots - invalid, 10000),
        "C06": invalid,
        **_pvt_counts(station, ballots=ballots, invalid=invalid),
    }
