"""The audit log reads as sentences, with only what changed behind <details>.

"Anna Petrova added Ivan Ivanov to team T012", not ``team.assign missions.team #7`` over two
columns of JSON.
"""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.html import escape

from missions.audit import audit_record
from missions.audit.phrasing import PHRASES, audit_diff
from missions.deployment import team_assign
from missions.imports import import_job_create
from missions.models import ImportKind
from observation.checklists import checklist_revise, question_spec
from observation.models import Checklist
from tests.missions.factories import ObserverFactory, TeamFactory, UserFactory
from tests.missions.uploads import STATION_HEADER, csv_upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def anna(mission):
    user = UserFactory(username="apetrova", first_name="Anna", last_name="Petrova")
    mission.memberships.create(user=user, role="COORDINATOR")
    return user


def log(client, user, mission, query="") -> str:
    client.force_login(user)
    response = client.get(f"/missions/{mission.pk}/audit/{query}")
    assert response.status_code == 200
    return response.content.decode()


def event_html(html: str, action: str) -> str:
    """The list item of the (first) event of ``action``."""
    start = html.index(">", html.index(f'data-action="{action}"')) + 1
    return html[start : html.index("</li>", start)]


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, spaces squeezed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_a_team_change_reads_as_a_sentence_with_the_peoples_names(client, anna, mission):
    team = TeamFactory(mission=mission, code="T012")
    ObserverFactory(mission=mission, user=UserFactory(username="iivanov"), full_name="Ivan Ivanov")
    team_assign(mission=mission, team=team, usernames=["iivanov"], actor=anna, now=timezone.now())

    item = event_html(log(client, anna, mission), "team.assign")

    assert "Anna Petrova added Ivan Ivanov to team T012." in text(item)
    assert "Team " in text(item)  # the object, as a word and its number
    assert "team.assign" not in text(item) and "missions.team" not in text(item)


def test_an_import_names_the_file_and_the_import_not_its_model(client, coordinator, mission):
    import_job_create(
        mission=mission,
        kind=ImportKind.STATIONS,
        upload=csv_upload([STATION_HEADER, ["1", "School", "North", "Lake", "900"]], name="n.csv"),
        actor=coordinator,
        now=timezone.now(),
    )

    item = text(event_html(log(client, coordinator, mission), "import.upload"))

    assert "coordinator uploaded n.csv, polling stations in 1 row." in item
    assert "missions.importjob" not in item


def test_a_revised_checklist_shows_only_the_question_that_changed(client, coordinator, mission):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    questions = [question_spec(q) for q in checklist.questions.order_by("position", "id")]
    untouched = questions[1]["text"]
    old = questions[2]["text"]
    questions[2] = {**questions[2], "text": "Was the secrecy of the vote ensured? (revised)"}
    checklist_revise(
        checklist=checklist, actor=coordinator, questions=questions, now=timezone.now()
    )
    code = questions[2]["code"]

    item = event_html(log(client, coordinator, mission), "checklist.revise")

    assert "coordinator edited the Voting checklist (version 1)." in text(item)
    # The question's text, and that the edit made no new version: nothing else.
    assert "<details>" in item and "2 changes" in text(item)
    assert 'data-key="new_version"' in item
    assert f'data-key="questions › {code} › text"' in item
    assert f"<del>{escape(old)}</del>" in item
    assert "<ins>Was the secrecy of the vote ensured? (revised)</ins>" in item
    assert escape(untouched) not in item  # an unchanged question is not shown


def test_the_diff_goes_into_nested_values_and_coded_lists():
    before = {
        "questions": [{"code": "A", "text": "One"}, {"code": "B", "text": "Two"}],
        "settings": {"ru": "да", "kk": "иә"},
        "same": 1,
    }
    after = {
        "questions": [{"code": "A", "text": "One"}, {"code": "C", "text": "Three"}],
        "settings": {"ru": "нет", "kk": "иә"},
        "same": 1,
    }

    rows = audit_diff(before=before, after=after)

    assert [(r["key"], r["before"], r["after"]) for r in rows] == [
        ("questions › B", {"code": "B", "text": "Two"}, None),
        ("questions › C", None, {"code": "C", "text": "Three"}),
        ("settings › ru", "да", "нет"),
    ]


def test_a_new_objects_values_are_listed_without_a_before_column(client, coordinator, mission):
    audit_record(
        actor=coordinator,
        mission=mission,
        action="team.create",
        obj=mission,
        after={"code": "T9"},
    )

    item = event_html(log(client, coordinator, mission), "team.create")

    assert "coordinator formed team T9." in text(item)
    assert "1 value recorded" in text(item)
    assert 'class="before"' not in item


def test_times_are_in_the_missions_time_zone_with_its_name(client, coordinator, mission):
    audit_record(
        actor=coordinator,
        mission=mission,
        action="team.create",
        obj=mission,
        after={"code": "T9"},
        at=dt.datetime(2022, 11, 20, 4, 5, tzinfo=dt.UTC),
    )

    html = log(client, coordinator, mission)

    assert ">Nov. 20, 2022 10:05 (Asia/Almaty)</time>" in html  # UTC+6
    assert "Times in Asia/Almaty." in html


def test_the_filter_menus_name_actions_and_objects_in_words(client, coordinator, mission):
    audit_record(
        actor=coordinator, mission=mission, action="team.create", obj=mission, after={"code": "T"}
    )

    html = log(client, coordinator, mission)

    assert '<option value="team.create">Team formed</option>' in html
    assert '<option value="missions.mission">Mission</option>' in html


def test_an_unknown_action_or_an_old_event_still_reads(client, coordinator, mission):
    audit_record(actor=None, mission=mission, action="custom.thing", obj=mission, after={"a": 1})
    audit_record(actor=coordinator, mission=mission, action="sample.draw", obj=mission, after={})

    html = log(client, coordinator, mission)

    assert f"The system: custom.thing (Mission {mission.pk})." in text(html)
    assert f"coordinator: Sample drawn (Mission {mission.pk})." in text(html)


def test_names_and_files_in_sentences_are_escaped(client, coordinator, mission):
    audit_record(
        actor=coordinator,
        mission=mission,
        action="import.confirm",
        obj=mission,
        after={"file": "<script>alert(1)</script>.csv", "status": "DONE", "kind": "STATIONS"},
    )

    html = log(client, coordinator, mission)

    assert "<script>alert(1)" not in html
    assert escape("coordinator confirmed the import of <script>alert(1)</script>.csv.") in html


def test_the_api_gives_each_event_its_sentence(api, anna, mission):
    team = TeamFactory(mission=mission, code="T012")
    ObserverFactory(mission=mission, user=UserFactory(username="iivanov"), full_name="Ivan Ivanov")
    team_assign(mission=mission, team=team, usernames=["iivanov"], actor=anna, now=timezone.now())

    response = api.as_user(anna).get(f"/api/v1/missions/{mission.pk}/audit/?action=team.assign")

    assert response.json()["results"][0]["summary"] == (
        "Anna Petrova added Ivan Ivanov to team T012."
    )


def _recorded_actions() -> set[str]:
    """Every action the code writes: ``action="x.y"`` and the visit SQL's two."""
    actions = set()
    for app in ("missions", "observation", "reports"):
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.keyword) and node.arg == "action":
                    value = node.value
                elif isinstance(node, ast.Assign) and any(
                    getattr(t, "id", None) == "action" for t in node.targets
                ):
                    value = node.value
                else:
                    continue
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    actions.add(value.value)
    return {a for a in actions if re.fullmatch(r"[a-z_]+\.[a-z_]+", a)} | {
        "visit.submit",
        "finding.create",
    }


def test_every_action_the_code_records_has_a_sentence():
    actions = _recorded_actions()

    assert len(actions) > 30
    assert sorted(actions - set(PHRASES)) == []
