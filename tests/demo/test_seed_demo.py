import pytest
from django.core.management import call_command

from demo.mission import DEMO_MISSION_NAME, official_turnout_pct
from missions.models import Mission
from observation.checklists.defaults import FINDING_EVIDENCE, finding_agrees
from observation.models import Finding, Visit

pytestmark = pytest.mark.django_db


def test_small_demo_mission_is_complete_and_logins_are_printed(capsys):
    call_command("seed_demo", size="small")

    out = capsys.readouterr().out
    mission = Mission.objects.get(name=DEMO_MISSION_NAME)
    assert mission.stations.count() == 30
    assert mission.observers.count() == 9
    assert mission.visits.count() > 0
    assert set(mission.visits.values_list("stage", flat=True)) >= {"OPENING", "VOTING", "COUNTING"}
    for username in ("admin", "coordinator", "observer", "press"):
        assert username in out
    assert mission.memberships.filter(user__username="coordinator", role="COORDINATOR").exists()


def test_seed_demo_twice_keeps_one_mission(capsys):
    call_command("seed_demo", size="small")
    call_command("seed_demo", size="small")

    assert Mission.objects.filter(name=DEMO_MISSION_NAME).count() == 1
    assert "already loaded" in capsys.readouterr().out


def test_demo_visits_respect_skip_logic_and_the_election_day():
    call_command("seed_demo", size="small")

    mission = Mission.objects.get(name=DEMO_MISSION_NAME)
    for visit in Visit.objects.filter(mission=mission, stage="VOTING"):
        assert ("V02" in visit.answers) == (visit.answers["V01"] is True)
        assert visit.arrived_at.astimezone(mission.tzinfo).date() == mission.election_date


def test_official_turnout_curve_passes_through_the_announced_figures():
    assert official_turnout_pct(10) == pytest.approx(23.4)
    assert official_turnout_pct(14) == pytest.approx(51.2)
    assert official_turnout_pct(18) == pytest.approx(67.9)
    assert official_turnout_pct(20) == pytest.approx(69.4)
    assert official_turnout_pct(12) == pytest.approx((23.4 + 51.2) / 2)


@pytest.mark.slow
def test_full_demo_mission_has_the_shape_of_the_2022_election():
    from demo.mission import seed_demo

    mission = seed_demo(size="full")

    assert mission.areas.filter(level="REGION").count() == 20
    assert mission.stations.count() == 10_101
    total = sum(mission.stations.values_list("registered_voters", flat=True))
    assert 11_900_000 <= total <= 12_000_000
    observers = mission.observers.all()
    assert observers.count() == 641
    assert observers.values("nationality").distinct().count() == 35
    assert observers.values("organisation").distinct().count() == 10
    assert {"Abai", "Zhetysu", "Ulytau", "Astana", "Almaty", "Shymkent"} <= set(
        mission.areas.filter(level="REGION").values_list("name", flat=True)
    )


def test_demo_findings_agree_with_their_visits_answers():
    call_command("seed_demo", size="small")

    findings = list(
        Finding.objects.filter(visit__mission__name=DEMO_MISSION_NAME).select_related("visit")
    )
    spoken_to = [
        f for f in findings if set(FINDING_EVIDENCE.get(f.category, {})) & set(f.visit.answers)
    ]
    assert len(spoken_to) >= 5  # enough findings that a question speaks to, to mean something
    assert [
        (f.category, f.visit.stage, f.visit.answers)
        for f in findings
        if not finding_agrees(category=f.category, answers=f.visit.answers)
    ] == []
    # Issue 20's case: no "Family voting" on a visit that answered "No" to family voting.
    family = [f for f in findings if f.category == "FAMILY_VOTING"]
    assert all(f.visit.answers.get("V08") is True for f in family)


def test_a_finding_disagrees_when_its_visit_answered_the_question_the_other_way():
    assert finding_agrees(category="FAMILY_VOTING", answers={"V08": True})
    assert not finding_agrees(category="FAMILY_VOTING", answers={"V08": False})
    assert not finding_agrees(category="SECRECY", answers={"V03": True})
    assert finding_agrees(category="PROTOCOL", answers={"C08": True, "C09": False, "C10": True})
    assert finding_agrees(category="PROCEDURE", answers={"V08": False})  # no question on it
    assert finding_agrees(category="FAMILY_VOTING", answers={"O07": False})  # not asked
