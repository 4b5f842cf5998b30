"""Turnout estimate and quick count over a stratified sample, and the forensic views: on
constructed samples whose answers are worked out by hand."""

import pytest
from django.utils import timezone

from missions.models import Sample, SampleStation
from reports.aggregates.reconcile import aggregates_reconcile
from reports.models import Candidate, OfficialTurnout
from reports.statistics.selectors import (
    count_check,
    forensics,
    quick_count,
    turnout_estimate,
    whole_percentage,
    whole_percentage_chance,
)
from tests.missions.factories import StationFactory
from tests.reports.factories import VisitFactory, local
from tests.world import NOT_STAFF, persona_user

pytestmark = pytest.mark.django_db


def draw(mission, members):
    """A sample by hand: ``members`` is [(station, stratum, stratum population)]."""
    sizes = {}
    for _station, stratum, _population in members:
        sizes[stratum] = sizes.get(stratum, 0) + 1
    sample = Sample.objects.create(
        mission=mission,
        size=len(members),
        seed=1,
        frame_size=sum({s: p for _st, s, p in members}.values()),
        strata={"by": ["test"], "strata": []},
        created_at=timezone.now(),
        in_use=True,
    )
    SampleStation.objects.bulk_create(
        SampleStation(
            sample=sample,
            station=station,
            stratum=stratum,
            stratum_population=population,
            stratum_sample_size=sizes[stratum],
            weight=population / sizes[stratum],
        )
        for station, stratum, population in members
    )
    return sample


def counting(station, *, a, b, invalid, ballots, at=(21, 0), received=None, **fields):
    answers = {"PVT_A": a, "PVT_B": b, "PVT_INVALID": invalid, "PVT_BALLOTS": ballots}
    answers = {k: v for k, v in answers.items() if v is not None}
    visit = VisitFactory(
        station=station, stage="COUNTING", answers=answers, arrived_at=local(*at), **fields
    )
    if received is not None:
        type(visit).objects.filter(pk=visit.pk).update(created_at=local(*received))
    return visit


@pytest.fixture
def candidates(mission):
    return [
        Candidate.objects.create(mission=mission, code="A", name="Alma <b>A</b>", position=1),
        Candidate.objects.create(mission=mission, code="B", name="Bolat B", position=2),
    ]


@pytest.fixture
def four(mission):
    district = StationFactory(mission=mission).district
    return [
        StationFactory(mission=mission, district=district, region=district.parent, area=district)
        for _ in range(4)
    ]


# --- the reconciliation check ----------------------------------------------------------------


def test_a_count_reconciles_when_votes_plus_invalid_equal_the_ballots_in_the_box():
    ok = count_check(
        answers={"PVT_A": 60, "PVT_B": 40, "PVT_INVALID": 5, "PVT_BALLOTS": 105},
        candidate_codes=["A", "B"],
    )
    off = count_check(
        answers={"PVT_A": 60, "PVT_B": 40, "PVT_INVALID": 5, "PVT_BALLOTS": 107},
        candidate_codes=["A", "B"],
    )
    missing = count_check(answers={"PVT_A": 60, "PVT_INVALID": 5}, candidate_codes=["A", "B"])

    assert (ok["valid"], ok["reconciles"], ok["difference"]) == (100, True, 0)
    assert (off["reconciles"], off["difference"]) == (False, -2)
    assert (missing["complete"], missing["reconciles"]) == (False, None)


# --- the quick count ----------------------------------------------------------------------------


@pytest.fixture
def counted(mission, candidates, four):
    """North: 4 stations, 2 sampled; south: 2 stations, both sampled. s4 does not reconcile."""
    s1, s2, s3, s4 = four
    draw(mission, [(s1, "north", 4), (s2, "north", 4), (s3, "south", 2), (s4, "south", 2)])
    # s1: an early count superseded by a later one, and a later one that was rejected.
    counting(s1, a=1, b=1, invalid=0, ballots=2, at=(20, 30), received=(20, 40))
    counting(s1, a=60, b=40, invalid=5, ballots=105, at=(21, 0), received=(21, 10))
    counting(s1, a=99, b=1, invalid=0, ballots=100, at=(22, 0), status="REJECTED")
    counting(s2, a=30, b=70, invalid=0, ballots=100, received=(21, 30))
    counting(s3, a=10, b=10, invalid=2, ballots=22, received=(21, 20))
    counting(s4, a=30, b=10, invalid=0, ballots=41, received=(22, 0))
    # A station outside the sample counts for reconciliation only.
    outside = StationFactory(mission=mission, district=s1.district, region=s1.region, area=s1.area)
    counting(outside, a=500, b=0, invalid=0, ballots=480)
    return four


def test_quick_count_hand_worked(mission, counted):
    result = quick_count(mission=mission)

    # R_A = (4 * 45 + 2 * 20) / (4 * 100 + 2 * 30) = 220 / 460 = 0.4782609.
    # North: d = (12.1739, -17.8261), s^2 = 450, term = 16 * (1 - 2/4) / 2 * 450 = 1800;
    # south is fully sampled (no variance). v = 1800 / 460^2 = 0.0085066; se = 0.0922313;
    # margin 95% = 1.959964 * se = 0.1807701, 99% = 2.575829 * se = 0.2375721.
    a, b = result["estimates"]
    assert result["stations_reporting"] == 4
    assert a["code"] == "A" and a["votes"] == 130
    assert a["estimate_pct"] == pytest.approx(47.82609, abs=1e-4)
    assert a["margin95"] == pytest.approx(18.07701, abs=1e-4)
    assert a["margin99"] == pytest.approx(23.75721, abs=1e-4)
    # Two candidates: B's share is the rest, with the same margin.
    assert b["estimate_pct"] == pytest.approx(52.17391, abs=1e-4)
    assert b["margin95"] == pytest.approx(18.07701, abs=1e-4)
    assert result["not_reconciled_in_sample"] == 1


def test_quick_count_can_leave_out_counts_that_do_not_reconcile(mission, counted):
    result = quick_count(mission=mission, reconciled_only=True)

    # Without s4: (4 * 45 + 2 * 10) / (4 * 100 + 2 * 20) = 200 / 440; south has one station left.
    a, _b = result["estimates"]
    assert result["stations_reporting"] == 3
    assert a["estimate_pct"] == pytest.approx(45.45455, abs=1e-4)
    assert a["margin95"] == pytest.approx(18.89869, abs=1e-4)


def test_reconciliation_flags_every_count_that_does_not_add_up(mission, counted):
    checks = quick_count(mission=mission)["reconciliation"]

    # Counted: s1 (two not rejected), s2, s3, s4, and the station outside the sample.
    assert (checks["checked"], checks["reconciles"]) == (6, 4)
    flagged = {f["difference"]: f["station__code"] for f in checks["flagged"]}
    assert flagged[-1] == counted[3].code  # 30 + 10 + 0 = 40, but 41 in the box
    assert len(flagged) == 2 and 20 in flagged  # outside the sample: 500 + 0 + 0 = 500 vs 480


def test_a_fully_sampled_population_gives_the_true_shares_with_no_margin(mission, candidates, four):
    votes = [(120, 80), (45, 55), (300, 100), (10, 90)]  # A: 475 of 800 valid = 59.375%
    draw(mission, [(s, "all", 4) for s in four])
    for station, (a, b) in zip(four, votes):
        counting(station, a=a, b=b, invalid=1, ballots=a + b + 1)

    result = quick_count(mission=mission)

    a, b = result["estimates"]
    assert a["estimate_pct"] == pytest.approx(59.375)
    assert b["estimate_pct"] == pytest.approx(40.625)
    assert a["margin95"] == 0 and a["margin99"] == 0
    # Invalid: 4 of 804 ballots in the box.
    assert result["invalid"]["estimate_pct"] == pytest.approx(100 * 4 / 804)


def test_convergence_follows_the_order_reports_arrived(mission, counted):
    result = quick_count(mission=mission)

    series = [r for r in result["convergence"] if r["code"] == "A"]
    # Arrival order: s1 (21:10), s3 (21:20), s2 (21:30), s4 (22:00).
    assert [r["stations"] for r in series] == [1, 2, 3, 4]
    assert [r["received_at"].strftime("%H:%M") for r in series] == [
        "21:10",
        "21:20",
        "21:30",
        "22:00",
    ]
    # After s1 alone: 60 of 100 (one station in north, one stratum: no variance yet).
    assert series[0]["estimate_pct"] == pytest.approx(60.0)
    assert series[-1]["estimate_pct"] == pytest.approx(result["estimates"][0]["estimate_pct"])


def test_no_candidates_or_no_sample_give_no_estimate(mission, four):
    assert quick_count(mission=mission)["estimates"] == []
    Candidate.objects.create(mission=mission, code="A", name="A", position=1)
    result = quick_count(mission=mission)
    assert result["sample"] is None and result["estimates"] == []


def test_quick_count_queries_do_not_grow_with_stations(
    mission, counted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        quick_count(mission=mission)


# --- the turnout estimate ----------------------------------------------------------------------


@pytest.fixture
def turnout_day(mission, four):
    s1, s2, s3, s4 = four
    s1.registered_voters, s2.registered_voters = 1000, 500
    s1.save(update_fields=["registered_voters"])
    s2.save(update_fields=["registered_voters"])
    # s5 is alone in its region and stratum.
    s5 = StationFactory(district__parent__mission=mission, registered_voters=400)
    draw(mission, [(s1, "a", 3), (s2, "a", 3), (s5, "b", 1)])
    VisitFactory(station=s1, voters_so_far=200, arrived_at=local(10, 5))  # superseded
    VisitFactory(station=s1, voters_so_far=300, arrived_at=local(10, 30))
    VisitFactory(station=s1, voters_so_far=900, arrived_at=local(10, 40), status="REJECTED")
    VisitFactory(station=s2, voters_so_far=160, arrived_at=local(10, 50))
    VisitFactory(station=s5, voters_so_far=100, arrived_at=local(11, 0))
    VisitFactory(station=s3, voters_so_far=999, arrived_at=local(10, 50))  # not sampled
    OfficialTurnout.objects.create(
        mission=mission, at=local(11), percent=35, created_at=timezone.now()
    )
    OfficialTurnout.objects.create(
        mission=mission, area=s1.region, at=local(11), percent=30, created_at=timezone.now()
    )
    aggregates_reconcile(mission=mission, now=timezone.now())
    return s1, s2, s5


def test_turnout_estimate_hand_worked(mission, turnout_day):
    s1, _s2, s5 = turnout_day

    result = turnout_estimate(mission=mission)

    rows = {(r["level"], r["area_code"]): r for r in result["rows"]}
    national = rows[("national", "ALL")]
    # Hour (10:00, 11:00]: s1 300/1000, s2 160/500 (stratum a, N=3), s5 100/400 (b, N=1).
    # R = (3 * 230 + 100) / (3 * 750 + 400) = 790 / 2650 = 0.2981132;
    # a: d = (1.8868, 10.9434), s^2 = 41.0110, term = 9 * (1/3) / 2 * 41.0110 = 61.5165;
    # v = 61.5165 / 2650^2; margin 95% = 1.959964 * 0.0029597 = 0.0058009.
    assert national["bucket_end"] == local(11)
    assert national["stations_reporting"] == 3
    assert national["estimate_pct"] == pytest.approx(29.81132, abs=1e-4)
    assert national["margin95"] == pytest.approx(0.58009, abs=1e-4)
    assert national["margin99"] == pytest.approx(0.76237, abs=1e-4)
    # The official 35% at 11:00 is outside [29.23, 30.39]: called out.
    assert national["official_pct"] == 35.0 and national["official_outside95"] is True
    # The region of s1 and s2: stratum a alone. R = 690 / 2250 = 0.3066667; margin 1.00585.
    region = rows[("region", s1.region.code)]
    assert region["stratified"] is True
    assert region["estimate_pct"] == pytest.approx(30.66667, abs=1e-4)
    assert region["margin95"] == pytest.approx(1.00585, abs=1e-4)
    assert region["official_pct"] == 30.0 and region["official_outside95"] is False
    # The region of s5: one station that is its whole stratum: exact, no margin.
    alone = rows[("region", s5.region.code)]
    assert (alone["estimate_pct"], alone["margin95"]) == (25.0, 0.0)
    assert result["outside"] == [national]


def test_without_a_sample_there_is_no_estimate(mission, station):
    assert turnout_estimate(mission=mission)["rows"] == []


# --- forensic views ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voters", "registered", "whole"),
    [(600, 1000, True), (600, 1237, False), (123, 500, False), (100, 400, True), (0, 7, True)],
)
def test_whole_percentages(voters, registered, whole):
    assert whole_percentage(voters=voters, registered=registered) is whole


@pytest.mark.parametrize(
    ("registered", "chance"), [(1000, 0.1), (1237, 1 / 1237), (500, 0.2), (400, 0.25), (7, 1 / 7)]
)
def test_the_chance_of_a_whole_percentage(registered, chance):
    assert whole_percentage_chance(registered=registered) == pytest.approx(chance)


def test_forensics_hand_worked(mission, candidates, four):
    sizes = [1000, 1237, 500, 400]
    for station, size in zip(four, sizes):
        station.registered_voters = size
        station.save(update_fields=["registered_voters"])
    s1, s2, s3, s4 = four
    final = {"stage": "CLOSING", "arrived_at": local(20, 0)}
    VisitFactory(station=s1, voters_so_far=70, arrived_at=local(9, 0))  # mid-day: not final
    VisitFactory(station=s1, voters_so_far=600, **final)  # 60%: whole
    VisitFactory(station=s2, voters_so_far=600, **final)
    VisitFactory(station=s3, voters_so_far=123, **final)
    VisitFactory(station=s4, voters_so_far=100, **final)  # 25%: whole
    VisitFactory(station=s4, voters_so_far=200, stage="CLOSING", status="REJECTED")
    counting(s1, a=400, b=190, invalid=10, ballots=600)
    counting(s4, a=20, b=78, invalid=2, ballots=100)

    result = forensics(mission=mission)

    assert sorted(round(r["turnout_pct"], 2) for r in result["turnout"]) == [
        24.6,
        25.0,
        48.5,
        60.0,
    ]
    whole = result["whole"]
    # 2 of 4 whole; expected (0.1 + 1/1237 + 0.2 + 0.25) / 4 = 13.7702%, below the 95%
    # interval of 2/4 (15.0039% to 84.9961%): more than chance explains.
    assert (whole["share"].k, whole["share"].n) == (2, 4)
    assert whole["expected_pct"] == pytest.approx(13.77021, abs=1e-4)
    assert whole["excess"] is True
    # A has 420 votes to B's 268: A wins; at s1 turnout 60%, A's share 400/590.
    assert result["winner"]["code"] == "A"
    assert sorted(
        (round(p["turnout_pct"], 2), round(p["winner_pct"], 2)) for p in result["fingerprint"]
    ) == [(25.0, 20.41), (60.0, 67.8)]


def test_a_mid_day_count_is_no_final_turnout(mission, four):
    s1, s2, s3, _s4 = four
    for station in four:
        station.registered_voters = 1000
        station.save(update_fields=["registered_voters"])
    # s1: counted at 10:00 only; s2: at 10:00, then its final count at the close;
    # s3: its final count at the close, then a later mid-day-style VOTING form (a late report).
    VisitFactory(station=s1, voters_so_far=230, arrived_at=local(10, 0))
    VisitFactory(station=s2, voters_so_far=240, arrived_at=local(10, 0))
    VisitFactory(station=s2, voters_so_far=690, stage="CLOSING", arrived_at=local(20, 0))
    VisitFactory(station=s3, voters_so_far=700, stage="COUNTING", arrived_at=local(20, 30))
    VisitFactory(station=s3, voters_so_far=250, arrived_at=local(20, 40))

    result = forensics(mission=mission)

    assert sorted(r["turnout_pct"] for r in result["turnout"]) == [69.0, 70.0]
    assert {r["stage"] for r in result["turnout"]} == {"CLOSING", "COUNTING"}
    assert result["whole"]["share"].n == 2


def test_forensics_with_nothing_reported(mission):
    result = forensics(mission=mission)

    assert result["turnout"] == [] and result["whole"]["share"].n == 0
    assert result["whole"]["excess"] is False and result["fingerprint"] == []


# --- pages and API: coordinators and analysts only ---------------------------------------------

PAGES = ["turnout-estimate/", "quick-count/", "forensics/"]
API = ["estimates/turnout/", "estimates/quick-count/"]


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
@pytest.mark.parametrize("page", PAGES)
def test_staff_see_the_pages(client, request, mission, counted, persona, page):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(f"/missions/{mission.pk}/{page}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "persona",
    NOT_STAFF,
)
@pytest.mark.parametrize("page", PAGES)
def test_everyone_else_gets_404_on_pages(client, request, mission, persona, page):
    user = persona_user(request, persona)
    client.force_login(user)

    assert client.get(f"/missions/{mission.pk}/{page}").status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_log_in_first(client, mission, page):
    response = client.get(f"/missions/{mission.pk}/{page}")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona",
    NOT_STAFF,
)
@pytest.mark.parametrize("path", API)
def test_the_api_hides_estimates_from_everyone_else(api, request, mission, persona, path):
    user = persona_user(request, persona)

    assert api.as_user(user).get(f"/api/v1/missions/{mission.pk}/{path}").status_code == 404


@pytest.mark.parametrize("path", API)
def test_the_api_needs_credentials(api, mission, path):
    assert api.get(f"/api/v1/missions/{mission.pk}/{path}").status_code == 401


def test_quick_count_api(api, analyst, mission, counted):
    response = api.as_user(analyst).get(f"/api/v1/missions/{mission.pk}/estimates/quick-count/")

    assert response.status_code == 200
    body = response.json()
    a = body["candidates"][0]
    assert (a["code"], a["estimate_pct"], a["margin95"], a["margin99"]) == (
        "A",
        47.83,
        18.08,
        23.76,
    )
    assert body["stations_reporting"] == 4
    assert body["reconciliation"]["checked"] == 6
    assert {f["difference"] for f in body["reconciliation"]["flagged"]} == {-1, 20}


def test_turnout_estimate_api(api, coordinator, mission, turnout_day):
    response = api.as_user(coordinator).get(f"/api/v1/missions/{mission.pk}/estimates/turnout/")

    assert response.status_code == 200
    body = response.json()
    national = next(r for r in body["rows"] if r["level"] == "national")
    assert national["bucket_end"] == "2022-11-20T11:00:00+06:00"
    assert (national["estimate_pct"], national["margin95"]) == (29.81, 0.58)
    assert national["official_outside95"] is True
    assert body["sample"]["stations"] == 3


def test_the_turnout_page_calls_out_the_official_figure(client, coordinator, mission, turnout_day):
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/turnout-estimate/").content.decode()

    assert "the official turnout of 35.0% lies outside the sample's 95% interval" in page


def test_the_quick_count_page_shows_estimates_and_flags(client, coordinator, mission, counted):
    client.force_login(coordinator)

    page = client.get(f"/missions/{mission.pk}/quick-count/").content.decode()

    assert "47.8%" in page and "52.2%" in page
    assert "4 of 6 counting forms reconcile" in page
    assert "votes + invalid − box = -1" in page and "votes + invalid − box = +20" in page
    assert "<td>21:00 (Asia/Almaty)</td>" in page  # arrival in the mission's time zone
    assert "Alma &lt;b&gt;A&lt;/b&gt;" in page and "Alma <b>A</b>" not in page


def test_the_forensics_page_renders_with_counts(client, analyst, mission, counted):
    client.force_login(analyst)

    page = client.get(f"/missions/{mission.pk}/forensics/").content.decode()

    assert "figure-fingerprint" in page


def test_pages_cost_a_fixed_number_of_queries(
    client, coordinator, mission, counted, django_assert_max_num_queries
):
    client.force_login(coordinator)

    for page in PAGES:
        with django_assert_max_num_queries(14):
            assert client.get(f"/missions/{mission.pk}/{page}").status_code == 200


def test_the_small_demo_has_a_working_quick_count_and_turnout_estimate():
    from demo.mission import CANDIDATES, seed_demo

    mission = seed_demo(size="small")

    result = quick_count(mission=mission)
    assert [c["code"] for c in result["estimates"]] == [c[0] for c in CANDIDATES]
    assert result["stations_reporting"] == result["sample_size"] == 12
    assert sum(c["estimate_pct"] for c in result["estimates"]) == pytest.approx(100)
    leader = result["estimates"][0]
    assert 50 < leader["estimate_pct"] < 80 and leader["margin99"] > leader["margin95"] > 0
    assert 60 < result["turnout"]["estimate_pct"] < 80
    assert result["reconciliation"]["checked"] >= 12
    estimate = turnout_estimate(mission=mission)
    national = {
        r["bucket_end"].strftime("%H:%M"): r for r in estimate["rows"] if r["level"] == "national"
    }
    assert {"10:00", "14:00", "18:00"} <= set(national)
    assert national["14:00"]["official_pct"] == 51.2
    assert 35 < national["14:00"]["estimate_pct"] < 60


def test_an_hour_few_sampled_stations_reported_is_partial_and_not_judged(mission, four):
    s1, s2, s3, s4 = four
    draw(mission, [(s, "a", 10) for s in four])
    VisitFactory(station=s1, voters_so_far=300, arrived_at=local(12, 30))
    for station in four:
        VisitFactory(station=station, voters_so_far=250, arrived_at=local(14, 0))
    OfficialTurnout.objects.create(
        mission=mission, at=local(13), percent=60, created_at=timezone.now()
    )
    OfficialTurnout.objects.create(
        mission=mission, at=local(14), percent=60, created_at=timezone.now()
    )
    aggregates_reconcile(mission=mission, now=timezone.now())

    rows = {
        r["bucket_end"].strftime("%H:%M"): r
        for r in turnout_estimate(mission=mission)["rows"]
        if r["level"] == "national"
    }

    # 13:00: one of four sampled stations; a single report in its stratum of ten.
    assert (rows["13:00"]["partial"], rows["13:00"]["single_strata"]) == (True, 1)
    assert rows["13:00"]["official_outside95"] is False
    # 14:00: all four reported 25%: the official 60% is called out.
    assert (rows["14:00"]["partial"], rows["14:00"]["single_strata"]) == (False, 0)
    assert rows["14:00"]["official_outside95"] is True
