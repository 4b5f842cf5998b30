"""The default checklist of every new mission, one per stage, after the OSCE/ODIHR forms.

Each question: code, English text, type, required, choices, bounds, show_if. The English
texts and choice labels are msgids (context "checklist") that the catalogs translate like
every other string; ``default_questions`` fills each question's ``text_i18n`` (and each
choice's ``label_i18n``) from the catalogs, for the languages a mission gets its defaults in.
From then on the checklist keeps its own texts, which coordinators edit per language.
"""

from django.utils import translation
from django.utils.translation import pgettext_lazy

from ..models import QuestionType as T
from ..models import Stage


def q(code, text, type_, *, required=False, choices=None, min=None, max=None, show_if=None):
    return {
        "code": code,
        "text": text,
        "type": type_,
        "required": required,
        "choices": choices or [],
        "min": min,
        "max": max,
        "show_if": show_if,
    }


def choice(value, label):
    return {"value": value, "label": label}


YES = {"equals": True}

INSTITUTIONS = [
    choice("POLICE", pgettext_lazy("checklist", "Police")),
    choice("LOCAL_AUTHORITY", pgettext_lazy("checklist", "Local authority")),
    choice("PARTY_AGENT", pgettext_lazy("checklist", "Party agent")),
    choice("SECURITY", pgettext_lazy("checklist", "Security service")),
    choice("OTHER", pgettext_lazy("checklist", "Other")),
]
CROWDING = [
    choice("NONE", pgettext_lazy("checklist", "Not crowded")),
    choice("QUEUE", pgettext_lazy("checklist", "Queue")),
    choice("OVERCROWDED", pgettext_lazy("checklist", "Overcrowded")),
]

DEFAULT_CHECKLISTS = {
    Stage.OPENING: [
        q(
            "O01",
            pgettext_lazy("checklist", "Were all essential election materials present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O02",
            pgettext_lazy("checklist", "Were the ballot boxes shown empty and sealed?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O03",
            pgettext_lazy("checklist", "Were the voter lists present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O04",
            pgettext_lazy("checklist", "How many commission members were present?"),
            T.INTEGER,
            required=True,
            min=0,
            max=50,
        ),
        q(
            "O05",
            pgettext_lazy("checklist", "Did the station open on time?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O06",
            pgettext_lazy("checklist", "How many minutes late did it open?"),
            T.INTEGER,
            required=True,
            min=1,
            max=600,
            show_if={"question": "O05", "equals": False},
        ),
        q(
            "O07",
            pgettext_lazy("checklist", "Were unauthorised persons present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O08",
            pgettext_lazy("checklist", "Which institution did they represent?"),
            T.MULTI_CHOICE,
            required=True,
            choices=INSTITUTIONS,
            show_if={"question": "O07", **YES},
        ),
        q(
            "O09",
            pgettext_lazy("checklist", "Were observers restricted?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "O10",
            pgettext_lazy("checklist", "Other remarks on the opening"),
            T.TEXT,
        ),
    ],
    Stage.VOTING: [
        q(
            "V01",
            pgettext_lazy("checklist", "Were unauthorised persons present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V02",
            pgettext_lazy("checklist", "Which institution did they represent?"),
            T.MULTI_CHOICE,
            required=True,
            choices=INSTITUTIONS,
            show_if={"question": "V01", **YES},
        ),
        q(
            "V03",
            pgettext_lazy("checklist", "Was the secrecy of the vote ensured?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V04",
            pgettext_lazy("checklist", "Was the voters' identity checked?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V05",
            pgettext_lazy("checklist", "Were there indications of multiple or proxy voting?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V06",
            pgettext_lazy("checklist", "Were there indications of ballot stuffing?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V07",
            pgettext_lazy("checklist", "How crowded was the station?"),
            T.CHOICE,
            required=True,
            choices=CROWDING,
        ),
        q(
            "V08",
            pgettext_lazy("checklist", "Was family voting observed?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V09",
            pgettext_lazy("checklist", "Were voters turned away?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V10",
            pgettext_lazy("checklist", "How many voters were turned away?"),
            T.INTEGER,
            required=True,
            min=1,
            max=5000,
            show_if={"question": "V09", **YES},
        ),
        q(
            "V11",
            pgettext_lazy("checklist", "Was there campaigning in or around the station?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V12",
            pgettext_lazy("checklist", "Were observers restricted?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "V13",
            pgettext_lazy("checklist", "Other remarks on voting"),
            T.TEXT,
        ),
    ],
    Stage.CLOSING: [
        q(
            "L01",
            pgettext_lazy("checklist", "Did the station close on time?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "L02",
            pgettext_lazy("checklist", "Were voters in the queue at closing allowed to vote?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "L03",
            pgettext_lazy("checklist", "Were unauthorised persons present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "L04",
            pgettext_lazy("checklist", "Were observers restricted?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "L05",
            pgettext_lazy("checklist", "Other remarks on closing"),
            T.TEXT,
        ),
    ],
    Stage.COUNTING: [
        q(
            "C01",
            pgettext_lazy("checklist", "Were unused ballots cancelled before the box was opened?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C02",
            pgettext_lazy("checklist", "Ballots received by the station"),
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
        ),
        q(
            "C03",
            pgettext_lazy("checklist", "Ballots issued to voters"),
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
        ),
        q(
            "C04",
            pgettext_lazy("checklist", "Unused ballots"),
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
        ),
        q(
            "C05",
            pgettext_lazy("checklist", "Valid ballots in the box"),
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
        ),
        q(
            "C06",
            pgettext_lazy("checklist", "Invalid ballots in the box"),
            T.INTEGER,
            required=True,
            min=0,
            max=10000,
        ),
        q(
            "C07",
            pgettext_lazy("checklist", "Was the validity of ballots decided consistently?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C08",
            pgettext_lazy("checklist", "Was the protocol completed in ink and signed?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C09",
            pgettext_lazy("checklist", "Were observers given a copy of the protocol?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C10",
            pgettext_lazy("checklist", "Was the protocol posted publicly?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C11",
            pgettext_lazy("checklist", "Were observers restricted?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "C12",
            pgettext_lazy("checklist", "Other remarks on counting"),
            T.TEXT,
        ),
    ],
    Stage.TABULATION: [
        q(
            "T01",
            pgettext_lazy("checklist", "Were protocols delivered by commission members in person?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "T02",
            pgettext_lazy("checklist", "Were figures in protocols changed at the tabulation?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "T03",
            pgettext_lazy("checklist", "Were unauthorised persons present?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "T04",
            pgettext_lazy("checklist", "Were observers able to follow the process?"),
            T.YES_NO,
            required=True,
        ),
        q(
            "T05",
            pgettext_lazy("checklist", "Other remarks on tabulation"),
            T.TEXT,
        ),
    ],
}


# The default checklists' questions whose answer a finding of each category speaks to, with the
# answer that shows the problem: a visit that reports "Family voting" has answered V08 "Yes".
# A finding agrees with its visit's answers when the visit answered none of its questions (its
# checklist asks none, e.g. "Procedural violation") or at least one of them shows the problem.
# Categories not named here (procedure, pressure on voters, other) no question speaks to.
FINDING_EVIDENCE: dict[str, dict[str, bool]] = {
    "UNAUTHORIZED_PERSONS": {"O07": True, "V01": True, "L03": True, "T03": True},
    "SECRECY": {"V03": False},
    "MULTIPLE_VOTING": {"V05": True},
    "BALLOT_STUFFING": {"V06": True},
    "FAMILY_VOTING": {"V08": True},
    "CAMPAIGNING": {"V11": True},
    "OBSERVER_RESTRICTED": {"O09": True, "V12": True, "L04": True, "C11": True, "T04": False},
    "VOTER_LIST": {"O03": False},
    "COUNT_IRREGULARITY": {"C01": False, "C07": False},
    "PROTOCOL": {"C08": False, "C09": False, "C10": False},
}


def finding_agrees(*, category: str, answers: dict) -> bool:
    """Whether a finding of ``category`` agrees with the answers of its visit (see above)."""
    evidence = {
        code: problem
        for code, problem in FINDING_EVIDENCE.get(category, {}).items()
        if code in answers
    }
    return not evidence or any(answers[code] == problem for code, problem in evidence.items())


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def default_questions(stage: str, *, languages: list[str]) -> list[dict]:
    """The stage's default questions as stored: English texts, and their translations from
    the catalogs into each of ``languages`` that has one (an untranslated msgid is left out,
    so the editor shows it missing rather than an English copy)."""
    questions = []
    for spec in DEFAULT_CHECKLISTS[stage]:
        english = _in("en", spec["text"])
        text_i18n = {}
        for language in languages:
            if language != "en" and (translated := _in(language, spec["text"])) != english:
                text_i18n[language] = translated
        choices = []
        for item in spec["choices"]:
            label = _in("en", item["label"])
            label_i18n = {}
            for language in languages:
                if language != "en" and (translated := _in(language, item["label"])) != label:
                    label_i18n[language] = translated
            choices.append({"value": item["value"], "label": label, "label_i18n": label_i18n})
        questions.append({**spec, "text": english, "text_i18n": text_i18n, "choices": choices})
    return questions
