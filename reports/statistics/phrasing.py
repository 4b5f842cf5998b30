"""The sentences a statement makes of its shares, in the reader's language.

Each sentence is one whole translatable template with named placeholders and its plural
forms (``ngettext`` on the count its nouns agree with): never English fragments glued into
another language's sentence ("All essential election materials were present на 94%"). A
stage's assessment gets a sentence of its own per stage, because in many languages the
verb agrees with the stage's name; a question and a finding category are quoted or named
before a colon, which reads in every language whatever the question's grammar.

Figures are written by ``common.numbers`` (rounded once, from the counts).
"""

from __future__ import annotations

from django.utils.translation import ngettext

from common.numbers import figure_text, share_exact


def share_texts(*, k: int, n: int, low: float, high: float) -> dict:
    """The placeholders every share sentence takes: ``share``, ``interval``, ``k``, ``n``."""
    return {
        "share": figure_text(share_exact(k, n), kind="share"),
        "interval": figure_text((low, high), kind="interval"),
        "k": figure_text(k, kind="count"),
        "n": figure_text(n, kind="count"),
    }


def negative_sentence(*, stage: str, texts: dict, total: int) -> str:
    """ "Voting was assessed as bad or very bad in 6.3% of the polling stations observed (95%
    interval 4.1–9.5%; 20 of 320 forms with an assessment)." ``texts``: ``share_texts``."""
    if stage == "OPENING":
        template = ngettext(
            "The opening was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s form with an assessment).",
            "The opening was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s forms with an assessment).",
            total,
        )
    elif stage == "VOTING":
        template = ngettext(
            "Voting was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s form with an assessment).",
            "Voting was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s forms with an assessment).",
            total,
        )
    elif stage == "CLOSING":
        template = ngettext(
            "The closing was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s form with an assessment).",
            "The closing was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s forms with an assessment).",
            total,
        )
    elif stage == "COUNTING":
        template = ngettext(
            "The counting was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s form with an assessment).",
            "The counting was assessed as bad or very bad in %(share)s of the polling stations "
            "observed (95%% interval %(interval)s; %(k)s of %(n)s forms with an assessment).",
            total,
        )
    else:
        template = ngettext(
            "The tabulation was assessed as bad or very bad in %(share)s of the observations "
            "(95%% interval %(interval)s; %(k)s of %(n)s form with an assessment).",
            "The tabulation was assessed as bad or very bad in %(share)s of the observations "
            "(95%% interval %(interval)s; %(k)s of %(n)s forms with an assessment).",
            total,
        )
    return template % texts


def yes_sentence(*, question: str, texts: dict, total: int) -> str:
    """ "“Were the voter lists present?”: “yes” in 94.4% of the polling stations observed
    (95% interval 91.3–96.4%; 302 of 320 answers)." ``question`` in the reader's language."""
    return ngettext(
        "“%(question)s”: “yes” in %(share)s of the polling stations observed (95%% interval "
        "%(interval)s; %(k)s of %(n)s answer).",
        "“%(question)s”: “yes” in %(share)s of the polling stations observed (95%% interval "
        "%(interval)s; %(k)s of %(n)s answers).",
        total,
    ) % {**texts, "question": question}


def finding_sentence(*, category: str, texts: dict, total: int) -> str:
    """ "Secrecy of the vote: reported in 3.1% of the polling stations observed (95% interval
    1.7–5.7%; 10 of 320 forms)." ``category``: its label in the reader's language."""
    return ngettext(
        "%(category)s: reported in %(share)s of the polling stations observed (95%% interval "
        "%(interval)s; %(k)s of %(n)s form).",
        "%(category)s: reported in %(share)s of the polling stations observed (95%% interval "
        "%(interval)s; %(k)s of %(n)s forms).",
        total,
    ) % {**texts, "category": category}
