"""The preliminary statement: per stage, forms, the negative share, every yes/no question's
share and the most frequent findings, each with its 95% interval and the filter behind it."""

import io
import re
import unicodedata
from html import unescape

import pytest
from django.utils import timezone, translation
from markdown_it import MarkdownIt
from pypdf import PdfReader

from observation.models import Checklist, Finding, Question
from reports.aggregates import selectors
from reports.aggregates.reconcile import aggregates_reconcile
from reports.statistics.statement import (
    StatementFilter,
    md,
    statement_figures,
    statement_markdown,
    statement_pdf,
)
from tests.observation.factories import VOTING_ANSWERS
from tests.reports.factories import VisitFactory, local
from tests.world import NOT_STAFF, persona_user

pytestmark = pytest.mark.django_db


# Every required VOTING answer, all "fine"; tests override the ones they look at.
VOTING = {**VOTING_ANSWERS, "V07": "NONE"}


def voting(station, *, assessment, v01=None, status="SUBMITTED", at=(10, 30), **fields):
    answers = dict(VOTING)
    if v01 is None:
        del answers["V01"]  # not answered (an older form, say): not in the denominator
    else:
        answers["V01"] = v01
        if v01:
            answers["V02"] = ["POLICE"]
    return VisitFactory(
        station=station,
        stage="VOTING",
        assessment=assessment,
        answers=answers,
        status=status,
        arrived_at=local(*at),
        **fields,
    )


@pytest.fixture
def day(station, other_station):
    """Five counted VOTING forms and one rejected; two counting forms; findings."""
    visits = [
        voting(station, assessment="GOOD", v01=True, at=(9, 10)),
        voting(station, assessment="BAD", v01=True, status="VERIFIED", at=(11, 0)),
        voting(other_station, assessment="VERY_BAD", v01=False, status="FLAGGED", at=(12, 0)),
        voting(other_station, assessment="VERY_GOOD", v01=None, at=(13, 0)),
        voting(other_station, assessment=None, v01=None, at=(14, 0)),
        # Rejected: its BAD and its "yes" and its finding never count.
        voting(station, assessment="BAD", v01=True, status="REJECTED", at=(15, 0)),
    ]
    Finding.objects.create(visit=visits[0], category="SECRECY", severity="SERIOUS")
    Finding.objects.create(visit=visits[0], category="SECRECY", severity="MINOR")
    Finding.objects.create(visit=visits[1], category="SECRECY", severity="MINOR")
    Finding.objects.create(visit=visits[2], category="FAMILY_VOTING", severity="MINOR")
    Finding.objects.create(
        visit=visits[3], category="FAMILY_VOTING", severity="MINOR", review_status="DISMISSED"
    )
    Finding.objects.create(visit=visits[5], category="BALLOT_STUFFING", severity="CRITICAL")
    VisitFactory(station=station, stage="COUNTING", assessment="BAD", arrived_at=local(21))
    VisitFactory(station=other_station, stage="COUNTING", assessment="GOOD", arrived_at=local(21))
    return visits


def stage_of(figures, stage):
    return next(s for s in figures["stages"] if s["stage"] == stage)


def test_voting_figures_hand_worked(mission, day):
    voting_figures = stage_of(statement_figures(mission=mission), "VOTING")

    # 5 counted forms; 4 with an assessment, 2 of them negative (BAD, VERY_BAD).
    assert voting_figures["forms"] == 5
    negative = voting_figures["negative"]
    assert (negative.k, negative.n, negative.pct) == (2, 4, 50.0)
    # Wilson 2/4: z^2/n = 0.960365, centre 0.5, half = 0.999795 * 0.350032 = 0.349961.
    assert negative.low == pytest.approx(15.0039, abs=1e-3)
    assert negative.high == pytest.approx(84.9961, abs=1e-3)
    assert voting_figures["negative_sentence"] == (
        "Voting was assessed as bad or very bad in 50.0% of the polling stations observed "
        "(95% interval 15.0–85.0%; 2 of 4 forms with an assessment)."
    )
    # V01: yes, yes, no among the counted forms that answered it -> 2 of 3.
    v01 = next(q for q in voting_figures["questions"] if q["code"] == "V01")
    assert (v01["yes"], v01["no"], v01["share"].n) == (2, 1, 3)
    # Wilson 2/3: z^2/n = 1.280486; centre 0.573084; half 0.859450 * 0.425184 = 0.365424.
    assert v01["share"].low == pytest.approx(20.766, abs=1e-3)
    assert v01["share"].high == pytest.approx(93.851, abs=1e-3)
    assert v01["sentence"] == (
        "“Were unauthorised persons present?”: “yes” in 66.7% of the polling stations observed "
        "(95% interval 20.8–93.9%; 2 of 3 answers)."
    )
    # V03 (secrecy ensured) answered "yes" on all five counted forms.
    v03 = next(q for q in voting_figures["questions"] if q["code"] == "V03")
    assert (v03["yes"], v03["share"].n, v03["share"].high) == (5, 5, 100.0)


def test_findings_count_forms_and_findings_leaving_out_dismissed_and_rejected(mission, day):
    findings = stage_of(statement_figures(mission=mission), "VOTING")["findings"]

    assert [(f["category"], f["findings"], f["visits"]) for f in findings] == [
        ("SECRECY", 3, 2),
        ("FAMILY_VOTING", 1, 1),
    ]
    # 2 of 5 forms reported secrecy problems: 40%, Wilson 11.76% to 76.93%.
    secrecy = findings[0]["share"]
    assert (secrecy.k, secrecy.n, secrecy.pct) == (2, 5, 40.0)
    assert secrecy.low == pytest.approx(11.7621, abs=1e-3)
    assert secrecy.high == pytest.approx(76.9276, abs=1e-3)


def test_the_statement_equals_the_aggregates(mission, day):
    aggregates_reconcile(mission=mission, now=timezone.now())

    figures = statement_figures(mission=mission)

    aggregate_rows = {
        row["stage"]: row for row in selectors.assessment_rows(mission=mission, level="national")
    }
    assert set(aggregate_rows) == {"VOTING", "COUNTING"}
    for stage, row in aggregate_rows.items():
        negative = stage_of(figures, stage)["negative"].as_dict()
        assert negative["n"] == row["total"]
        assert negative["k"] == row["bad"] + row["very_bad"]
        assert (negative["pct"], negative["ci_low"], negative["ci_high"]) == (
            row["negative_pct"],
            row["ci_low"],
            row["ci_high"],
        )
    finding_totals = {}
    for row in selectors.finding_rows(mission=mission, level="national"):
        finding_totals[row["category"]] = finding_totals.get(row["category"], 0) + row["count"]
    mine = {}
    for stage in figures["stages"]:
        for finding in stage["findings"]:
            mine[finding["category"]] = mine.get(finding["category"], 0) + finding["findings"]
    assert mine == finding_totals == {"SECRECY": 3, "FAMILY_VOTING": 1}


def test_the_filter_narrows_and_says_so(mission, day):
    verified = statement_figures(mission=mission, filter=StatementFilter(statuses=("VERIFIED",)))
    window = statement_figures(
        mission=mission, filter=StatementFilter(start=local(10, 0), end=local(12, 30))
    )

    voting_verified = stage_of(verified, "VOTING")
    assert voting_verified["forms"] == 1
    assert voting_verified["negative"].as_dict()["pct"] == 100.0
    assert (
        "with the status Verified. Rejected forms never count." in (voting_verified["filter_text"])
    )
    voting_window = stage_of(window, "VOTING")
    assert voting_window["forms"] == 2  # 11:00 and 12:00
    assert (
        "Arrived from Nov. 20, 2022 10:00 (Asia/Almaty) to Nov. 20, 2022 12:30 (Asia/Almaty)."
        in (voting_window["filter_text"])
    )
    assert "Checklist version v1." in voting_window["filter_text"]


def test_rejected_never_counts_even_when_asked_for(mission, day):
    figures = statement_figures(
        mission=mission, filter=StatementFilter(statuses=("REJECTED", "SUBMITTED"))
    )

    assert stage_of(figures, "VOTING")["forms"] == 3
    assert (
        "with the status Submitted. Rejected forms never count."
        in (stage_of(figures, "VOTING")["filter_text"])
    )


def test_a_stage_without_forms_has_no_share(mission, day):
    opening = stage_of(statement_figures(mission=mission), "OPENING")

    assert opening["forms"] == 0
    assert opening["negative"].pct is None
    assert opening["negative_sentence"] is None
    assert all(q["sentence"] is None for q in opening["questions"])


def test_current_versions_only_and_versions_named(mission, station, day):
    old = Checklist.objects.get(mission=mission, stage="VOTING")
    old.is_current = False
    old.save(update_fields=["is_current"])
    new = Checklist.objects.create(mission=mission, stage="VOTING", version=2)
    for question in old.questions.order_by("position"):
        question.pk = None
        question.checklist = new
        question.save()
    voting(station, assessment="BAD", v01=True, at=(16, 0))

    every = stage_of(statement_figures(mission=mission), "VOTING")
    current = stage_of(
        statement_figures(mission=mission, filter=StatementFilter(current_only=True)), "VOTING"
    )

    assert every["forms"] == 6
    assert "Checklist versions v1, v2." in every["filter_text"]
    assert current["forms"] == 1
    assert "Checklist version v2." in current["filter_text"]


def test_one_query_for_all_questions_however_many(mission, day, django_assert_max_num_queries):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING")
    Question.objects.bulk_create(
        Question(checklist=checklist, code=f"X{n:02d}", text=f"Was thing {n} seen?", type="YES_NO")
        for n in range(40)
    )

    with django_assert_max_num_queries(5):
        figures = statement_figures(mission=mission)

    assert len(stage_of(figures, "VOTING")["questions"]) == 9 + 40


def test_a_question_is_quoted_whole_whatever_its_grammar(mission, station):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING")
    Question.objects.create(
        checklist=checklist, code="X1", text="Queue <b>longer</b> than 1 hour", type="YES_NO"
    )
    VisitFactory(station=station, stage="VOTING", answers={"X1": True})

    question = next(
        q
        for q in stage_of(statement_figures(mission=mission), "VOTING")["questions"]
        if q["code"] == "X1"
    )

    assert question["sentence"] == (
        "“Queue <b>longer</b> than 1 hour”: “yes” in 100.0% of the polling stations observed "
        "(95% interval 20.7–100.0%; 1 of 1 answer)."
    )


def test_markdown_and_pdf_carry_the_figures_and_filters(mission, day):
    figures = statement_figures(mission=mission)

    text = statement_markdown(mission=mission, figures=figures, generated_at=timezone.now())
    pdf = statement_pdf(mission=mission, figures=figures, generated_at=timezone.now())

    assert md("“Were unauthorised persons present?”: “yes” in 66.7%") in text
    assert md("with the status Submitted, Flagged for review, Verified.") in text
    assert "| Secrecy of the vote | 3 | 2 |" in text
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_markdown_escapes_free_text():
    assert md("<script>alert(1)</script> *bold* [link](x)") == (
        r"\<script\>alert(1)\</script\> \*bold\* \[link\](x)"
    )


def test_the_markdown_file_reads_plainly_where_markdown_would_not_act(mission, day):
    figures = statement_figures(mission=mission)

    text = statement_markdown(mission=mission, figures=figures, generated_at=timezone.now())

    # Issue 20: the file said "67% \(21% to 94%\)" and "4\.1%".
    assert (
        "“Were unauthorised persons present?”: “yes” in 66.7% of the polling stations observed "
        "(95% interval 20.8–93.9%; 2 of 3 answers)." in text
    )
    assert "\\." not in text and "\\(" not in text


@pytest.mark.parametrize(
    "free_text",
    [
        "4.1% (2.0–8.0%)",
        "<b>bold</b> *stars* _under_ `code` [link](x) ![img](y) ~~gone~~ a | b",
        "# a heading",
        "- a bullet",
        "+ another",
        "12. a list item",
        "3) another",
        "= underline",
        "&amp; &#35; stay as typed",
        "PVT_NURLANOVA a_b __init__ back\\slash",
    ],
)
def test_free_text_reads_back_exactly_through_a_commonmark_reader(free_text):
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(md(free_text))

    shown = unescape(re.sub(r"<[^>]+>", "", html)).strip()

    assert shown == free_text
    assert html.startswith("<p>")  # a paragraph: no heading, list or rule


# --- the page ----------------------------------------------------------------------------------


def url(mission, suffix=""):
    return f"/missions/{mission.pk}/statement/{suffix}"


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_coordinators_and_analysts_read_the_statement(client, request, mission, day, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url(mission))

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "“Were unauthorised persons present?”: “yes” in 66.7% of the polling stations observed"
        in page
    )
    assert "with the status Submitted, Flagged for review, Verified." in page


@pytest.mark.parametrize(
    "persona",
    NOT_STAFF,
)
@pytest.mark.parametrize("suffix", ["", "statement.md", "statement.pdf"])
def test_everyone_else_gets_a_404(client, request, mission, persona, suffix):
    user = persona_user(request, persona)
    client.force_login(user)

    assert client.get(url(mission, suffix)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, mission):
    response = client.get(url(mission))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_downloads_apply_the_pages_filter(client, coordinator, mission, day):
    client.force_login(coordinator)

    markdown = client.get(url(mission, "statement.md") + "?status=VERIFIED")
    pdf = client.get(url(mission, "statement.pdf"))

    assert markdown.status_code == 200
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment;" in markdown["Content-Disposition"]
    assert md("with the status Verified.") in markdown.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_page_escapes_question_text(client, coordinator, mission, station):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING")
    Question.objects.create(
        checklist=checklist, code="X1", text="Were <script>alert(1)</script> seen?", type="YES_NO"
    )
    VisitFactory(station=station, stage="VOTING", answers={"X1": True})
    client.force_login(coordinator)

    page = client.get(url(mission)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_page_costs_a_few_queries(
    client, coordinator, mission, day, django_assert_max_num_queries
):
    client.force_login(coordinator)

    with django_assert_max_num_queries(12):
        assert client.get(url(mission)).status_code == 200


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "受观察投票站"),  # drawn with a CJK font, not empty boxes
        ("ru", "наблюдавшихся избирательных участков"),
        ("ar", "الاقتراع"),  # shaped Arabic (read back as presentation forms, visual order)
    ],
)
def test_the_pdf_speaks_the_readers_language(mission, day, language, expected):
    with translation.override(language):
        pdf = statement_pdf(
            mission=mission, figures=statement_figures(mission=mission), generated_at=timezone.now()
        )

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    letters = unicodedata.normalize("NFKC", " ".join(text.split()))
    assert expected in letters
