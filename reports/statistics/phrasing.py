"""Turning a checklist's yes/no question into the sentence a statement makes of its "yes" share.

"Were unauthorised persons present?" -> "Unauthorised persons were present", so the statement
can say "Unauthorised persons were present in 7% (5% to 9%) of polling stations observed".
Coordinators write their own questions, so this only handles the usual shapes ("Was/Were/Is/
Are/Has/Have ... ?", "Was/Were there ... ?", "Did ... <verb> ...?") and returns None for any
other text; the caller then quotes the question.
"""

import re

AUXILIARIES = {"was", "were", "is", "are", "has", "have"}
DETERMINERS = {"the", "a", "an", "all", "any", "every", "each", "this", "that", "its", "their"}
# Words that begin the predicate of "Was <subject> <predicate>?" besides "-ed" participles.
PREDICATE_WORDS = {
    "able",
    "absent",
    "accessible",
    "adequate",
    "available",
    "been",
    "broken",
    "chosen",
    "complete",
    "correct",
    "done",
    "drawn",
    "empty",
    "found",
    "given",
    "held",
    "kept",
    "known",
    "left",
    "made",
    "open",
    "present",
    "put",
    "ready",
    "seen",
    "sent",
    "set",
    "shown",
    "sufficient",
    "taken",
    "told",
    "visible",
    "written",
}
IRREGULAR_PAST = {
    "be": "was",
    "begin": "began",
    "bring": "brought",
    "come": "came",
    "do": "did",
    "find": "found",
    "get": "got",
    "give": "gave",
    "go": "went",
    "have": "had",
    "hold": "held",
    "keep": "kept",
    "leave": "left",
    "let": "let",
    "make": "made",
    "put": "put",
    "run": "ran",
    "say": "said",
    "see": "saw",
    "send": "sent",
    "set": "set",
    "show": "showed",
    "take": "took",
    "tell": "told",
    "write": "wrote",
}
WORD = re.compile(r"^[\w'’-]+$")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _past(verb: str) -> str:
    lower = verb.lower()
    if lower in IRREGULAR_PAST:
        return IRREGULAR_PAST[lower]
    if lower.endswith("e"):
        return verb + "d"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def _is_predicate_start(word: str) -> bool:
    lower = word.lower()
    return lower in PREDICATE_WORDS or (lower.endswith("ed") and len(lower) > 3)


def yes_statement(question: str) -> str | None:
    """The statement a "yes" to ``question`` makes, without a full stop; None if unsure."""
    text = " ".join((question or "").split())
    if not text.endswith("?"):
        return None
    words = text[:-1].split(" ")
    if len(words) < 3 or not all(WORD.match(w) for w in words):
        return None
    first = words[0].lower()
    if first in AUXILIARIES:
        auxiliary = first
        rest = words[1:]
        if rest[0].lower() == "there":
            return " ".join(["There", auxiliary, *rest[1:]])
        # The subject runs up to the first word that starts the predicate (never the first).
        for index in range(1, len(rest)):
            if _is_predicate_start(rest[index]):
                subject = " ".join(rest[:index])
                return " ".join([_capitalise(subject), auxiliary, *rest[index:]])
        return None
    if first == "did":
        rest = words[1:]
        size = 2 if rest[0].lower() in DETERMINERS else 1
        if len(rest) <= size:
            return None
        subject, verb, tail = rest[:size], rest[size], rest[size + 1 :]
        return " ".join([_capitalise(" ".join(subject)), _past(verb), *tail])
    return None
