"""The aggregate tables, kept by the pipeline: what a coordinator's figures say."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from observation.models import Finding
from reports.aggregates import reconcile, selectors
from reports.aggregates import sql as aggregate_sql
from reports.aggregates.reconcile import aggregates_reconcile, missions_due_for_reconcile
from reports.aggregates.sql import visits_unaggregated
from reports.aggregates.tasks import aggregate_stations, reconcile_all_missions
from reports.models import AggregateState, PendingStation, StationTurnout
from tests.missions.factories import StationFactory
from tests.reports.factories import ALMATY, local
from tests.reports.reference import assert_matches_recompute

pytestmark = pytest.mark.django_db


def national(rows_function, mission, **kwargs):
    return rows_function(mission=mission, level="national", **kwargs)


def turnout(mission, level="national"):
    return [
        (row["bucket_end"].strftime("%H:%M"), row["voters"], row["registered"])
        for row in selectors.turnout_rows(mission=mission, level=level)
    ]


# --- the turnout bucket rule --------------------------------------------------------------


def test_a_report_exactly_on_the_hour_belongs_to_the_hour_it_ends(pipeline, station):
    pipeline.submit(station=station, arrived_at=local(10, 0), voters_so_far=200)

    assert turnout(station.mission) == [("10:00", 200, 1000)]


def test_a_report_a_microsecond_past_the_hour_belongs_to_the_next_hour(pipeline, station):
    pipeline.submit(station=station, arrived_at=local(10, 0, 0, 1), voters_so_far=200)
    pipeline.submit(station=station, arrived_at=local(9, 0, 0, 1), voters_so_far=100)

    assert turnout(station.mission) == [("10:00", 100, 1000), ("11:00", 200, 1000)]


def test_bucket_end_is_in_the_missions_timezone(pipeline, station):
    pipeline.submit(station=station, arrived_at=local(9, 59), voters_so_far=200)

    (row,) = selectors.turnout_rows(mission=station.mission, level="national")
    assert row["bucket_end"].isoformat() == "2022-11-20T10:00:00+06:00"


def test_of_two_reports_in_one_bucket_the_later_arrival_counts(pipeline, station):
    # Submitted out of order: the later arrival reaches the server first.
    pipeline.submit(station=station, arrived_at=local(9, 50), voters_so_far=260)
    pipeline.submit(station=station, arrived_at=local(9, 10), voters_so_far=180)

    assert turnout(station.mission) == [("10:00", 260, 1000)]
    (row,) = selectors.turnout_rows(mission=station.mission, level="national")
    assert row["stations_reporting"] == 1
    assert row["turnout_pct"] == 26.0


def test_a_report_without_a_count_is_not_turnout_but_is_coverage(pipeline, station):
    pipeline.submit(station=station, arrived_at=local(9, 50), voters_so_far=260)
    pipeline.submit(station=station, arrived_at=local(9, 55), voters_so_far=None, assessment="GOOD")

    assert turnout(station.mission) == [("10:00", 260, 1000)]
    (coverage,) = national(selectors.coverage_rows, station.mission)
    assert coverage["visits"] == 2
    (assessment,) = national(selectors.assessment_rows, station.mission)
    assert assessment["good"] == 1


def test_a_rejected_report_never_counts(pipeline, station):
    kept = pipeline.submit(station=station, arrived_at=local(9, 10), voters_so_far=180)
    wrong = pipeline.submit(
        station=station,
        arrived_at=local(9, 50),
        voters_so_far=990,
        assessment="VERY_BAD",
        findings=[("BALLOT_STUFFING", "CRITICAL")],
    )
    assert turnout(station.mission) == [("10:00", 990, 1000)]

    pipeline.edit(wrong, status="REJECTED")

    assert turnout(station.mission) == [("10:00", 180, 1000)]
    assert national(selectors.assessment_rows, station.mission) == []
    assert national(selectors.finding_rows, station.mission) == []
    assert national(selectors.coverage_rows, station.mission)[0]["visits"] == 1
    pipeline.edit(wrong, status="SUBMITTED")
    pipeline.delete(kept)
    assert turnout(station.mission) == [("10:00", 990, 1000)]


def test_turnout_rolls_up_stations_to_district_region_and_nation(pipeline, station, other_station):
    elsewhere = StationFactory(district__parent__mission=station.mission, registered_voters=300)
    pipeline.submit(station=station, arrived_at=local(13, 20), voters_so_far=512)
    pipeline.submit(station=other_station, arrived_at=local(13, 40), voters_so_far=101)
    pipeline.submit(station=elsewhere, arrived_at=local(12, 40), voters_so_far=30)

    rows = selectors.turnout_rows(mission=station.mission, level="district")
    assert [(r["area_code"], r["bucket_end"].hour, r["voters"], r["registered"]) for r in rows] == [
        (station.district.code, 14, 613, 1500),
        (elsewhere.district.code, 13, 30, 300),
    ]
    assert rows[0]["turnout_pct"] == 40.87  # 613 / 1500
    assert rows[0]["stations_reporting"] == 2
    (region_row,) = selectors.turnout_rows(
        mission=station.mission, level="region", area_code=station.region.code
    )
    assert (region_row["area_name"], region_row["voters"]) == (station.region.name, 613)
    assert turnout(station.mission) == [("13:00", 30, 300), ("14:00", 613, 1500)]


# --- assessments, findings, coverage ------------------------------------------------------


def test_assessments_count_visits_and_give_the_wilson_interval(pipeline, station, other_station):
    ratings = ["VERY_GOOD"] * 3 + ["GOOD"] * 4 + ["BAD"] * 2 + ["VERY_BAD"]
    for index, rating in enumerate(ratings):
        pipeline.submit(
            station=(station, other_station)[index % 2],
            arrived_at=local(11, index),
            assessment=rating,
        )
    pipeline.submit(station=station, stage="OPENING", arrived_at=local(6, 55), assessment="BAD")

    rows = selectors.assessment_rows(mission=station.mission, level="national", stage="VOTING")

    assert rows == [
        {
            "area_code": "ALL",
            "area_name": "ALL",
            "stage": "VOTING",
            "very_good": 3,
            "good": 4,
            "bad": 2,
            "very_bad": 1,
            "total": 10,
            "negative_pct": 30.0,
            # Wilson 95% for 3 of 10, worked by hand: 0.3555 -+ 0.2477.
            "ci_low": 10.78,
            "ci_high": 60.32,
        }
    ]
    stages = [r["stage"] for r in national(selectors.assessment_rows, station.mission)]
    assert stages == ["OPENING", "VOTING"]


def test_findings_count_by_category_and_severity_leaving_out_dismissed_ones(pipeline, station):
    pipeline.submit(
        station=station,
        findings=[("SECRECY", "SERIOUS"), ("SECRECY", "SERIOUS"), ("PROCEDURE", "MINOR")],
    )
    visit = pipeline.submit(station=station, findings=[("SECRECY", "CRITICAL")])

    pipeline.dismiss(Finding.objects.get(visit=visit))

    assert [
        (r["category"], r["severity"], r["count"])
        for r in selectors.finding_rows(mission=station.mission, level="region")
    ] == [("SECRECY", "SERIOUS", 2), ("PROCEDURE", "MINOR", 1)]


def test_coverage_counts_every_station_and_the_visited_ones(pipeline, station, other_station):
    unvisited_region = StationFactory(district__parent__mission=station.mission)
    pipeline.submit(station=station)
    pipeline.submit(station=station)

    rows = selectors.coverage_rows(mission=station.mission, level="region")

    assert [
        (r["area_code"], r["stations_total"], r["stations_visited"], r["visits"]) for r in rows
    ] == [
        (station.region.code, 2, 1, 2),
        (unvisited_region.region.code, 1, 0, 0),
    ]
    assert national(selectors.coverage_rows, station.mission)[0]["stations_total"] == 3


# --- idempotency, concurrency of cells, reconciliation ------------------------------------


def test_running_an_update_twice_changes_nothing(pipeline, station, other_station):
    pipeline.submit(station=station, arrived_at=local(9, 30), voters_so_far=100, assessment="BAD")
    pipeline.submit(station=other_station, findings=[("OTHER", "MINOR")], assessment="GOOD")
    mission = station.mission
    before = reconcile._area_snapshot(mission.pk)
    stations_before = list(StationTurnout.objects.values_list("station_id", "bucket_end", "voters"))

    aggregate_stations.delay(mission_id=mission.pk, station_ids=[station.pk, other_station.pk])
    aggregate_stations.delay(mission_id=mission.pk, station_ids=[station.pk, other_station.pk])

    assert reconcile._area_snapshot(mission.pk) == before
    assert list(StationTurnout.objects.values_list("station_id", "bucket_end", "voters")) == (
        stations_before
    )
    assert aggregates_reconcile(mission=mission, now=timezone.now()).changed_cells == 0


def test_a_random_day_of_changes_matches_a_recompute_from_scratch(pipeline, mission):
    import random

    rng = random.Random(4)
    stations = [
        StationFactory(district__parent__mission=mission, registered_voters=rng.randint(300, 900))
        for _ in range(3)
    ]
    stations.append(
        StationFactory(
            mission=mission,
            district=stations[0].district,
            region=stations[0].region,
            area=stations[0].district,
        )
    )
    visits = []
    for _step in range(40):
        roll = rng.random()
        if visits and roll < 0.15:
            pipeline.edit(rng.choice(visits), status=rng.choice(["REJECTED", "VERIFIED"]))
        elif visits and roll < 0.25:
            pipeline.delete(visits.pop(rng.randrange(len(visits))))
        elif visits and roll < 0.35:
            arrived_at = local(rng.randint(8, 19), rng.randint(0, 59))
            pipeline.edit(
                rng.choice(visits),
                voters_so_far=rng.randint(0, 300),
                arrived_at=arrived_at,
                departed_at=arrived_at,
            )
        else:
            visits.append(
                pipeline.submit(
                    station=rng.choice(stations),
                    stage=rng.choice(["OPENING", "VOTING", "COUNTING"]),
                    arrived_at=local(rng.randint(7, 19), rng.choice([0, 15, 59])),
                    voters_so_far=rng.choice([None, rng.randint(0, 300)]),
                    assessment=rng.choice([None, "VERY_GOOD", "GOOD", "BAD", "VERY_BAD"]),
                    findings=[("SECRECY", "MINOR")] * rng.randint(0, 2),
                )
            )

    assert_matches_recompute(mission)
    assert not PendingStation.objects.exists()
    assert not visits_unaggregated().exists()
    assert aggregates_reconcile(mission=mission, now=timezone.now()).changed_cells == 0


def test_reconcile_repairs_drift_and_says_how_much(pipeline, station):
    pipeline.submit(station=station, arrived_at=local(9, 30), voters_so_far=100)
    mission = station.mission
    StationTurnout.objects.all().delete()  # a lost update, as a killed worker might leave it
    mission.visits.update(voters_so_far=150)  # an edit no one announced

    result = aggregates_reconcile(mission=mission, now=timezone.now())

    assert result.changed_cells == 3  # the 10:00 cell at each of the three levels
    assert turnout(mission) == [("10:00", 150, 1000)]
    assert_matches_recompute(mission)
    state = AggregateState.objects.get(mission=mission)
    assert state.reconcile_changed_cells == 3 and state.reconciled_at is not None


AGGREGATE_TABLES = [
    model._meta.db_table
    for kind in aggregate_sql.KINDS
    for model in (kind.station_model, kind.area_model)
]


def rows_written(table_names) -> dict:
    """Rows inserted, updated or deleted in these tables by the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [list(table_names)],
        )
        return dict(cursor.fetchall())


def test_a_reconcile_without_drift_writes_no_aggregate_row(pipeline, station, other_station):
    pipeline.submit(station=station, arrived_at=local(9, 30), voters_so_far=100, assessment="BAD")
    pipeline.submit(station=other_station, arrived_at=local(11, 5), findings=[("SECRECY", "MINOR")])
    mission = station.mission
    aggregates_reconcile(mission=mission, now=timezone.now())
    before = rows_written(AGGREGATE_TABLES)

    result = aggregates_reconcile(mission=mission, now=timezone.now())

    assert result.changed_cells == 0
    assert rows_written(AGGREGATE_TABLES) == before
    assert_matches_recompute(mission)


def test_a_reconcile_rewrites_only_the_drifted_rows(pipeline, station, other_station):
    pipeline.submit(station=station, arrived_at=local(9, 30), voters_so_far=100)
    pipeline.submit(station=other_station, arrived_at=local(9, 40), voters_so_far=300)
    mission = station.mission
    aggregates_reconcile(mission=mission, now=timezone.now())
    mission.visits.filter(station=station).update(voters_so_far=150)  # an unannounced edit
    table = StationTurnout._meta.db_table
    before = rows_written([table])[table]

    result = aggregates_reconcile(mission=mission, now=timezone.now())

    assert rows_written([table])[table] - before == 2  # the one station row, deleted and added
    assert result.changed_cells == 3  # the 10:00 cell at each of the three levels
    assert turnout(mission) == [("10:00", 450, 1500)]
    assert_matches_recompute(mission)


def test_reconcile_all_missions_picks_up_work_the_broker_never_delivered(station, other_station):
    from tests.reports.factories import VisitFactory

    mission = station.mission
    aggregates_reconcile(mission=mission, now=timezone.now())
    # A bulk insert past the pipeline, and a change whose task was lost.
    visit = VisitFactory(station=station, arrived_at=local(9, 30), voters_so_far=100)
    PendingStation.objects.create(
        mission=mission, station_id=other_station.pk, changed_at=timezone.now()
    )
    now = timezone.now()
    assert missions_due_for_reconcile(now=now) == []  # fresh: the workers' job
    assert missions_due_for_reconcile(now=now + dt.timedelta(seconds=31)) == [mission.pk]
    long_ago = now - dt.timedelta(minutes=2)
    PendingStation.objects.update(changed_at=long_ago)
    type(visit).objects.filter(pk=visit.pk).update(created_at=long_ago)

    reconcile_all_missions.delay()

    assert missions_due_for_reconcile(now=timezone.now()) == []
    assert turnout(mission) == [("10:00", 100, 1000)]
    assert not PendingStation.objects.exists()
    assert not visits_unaggregated().exists()
    assert AggregateState.objects.get(mission=mission).visits_aggregated_through == visit.pk


# --- visits loaded past the pipeline: the watermark -----------------------------------------


def test_a_reconcile_claims_a_bulk_load_by_its_watermark_without_writing_a_visit(
    station, other_station
):
    from tests.reports.factories import VisitFactory

    loaded = [
        VisitFactory(station=s, arrived_at=local(9, 30), voters_so_far=100)
        for s in (station, other_station, station)
    ]
    mission = station.mission
    assert set(visits_unaggregated()) == set(loaded)
    written = rows_written(["observation_visit"])

    result = aggregates_reconcile(mission=mission, now=timezone.now())

    assert result.claimed == 3
    assert AggregateState.objects.get(mission=mission).visits_aggregated_through == loaded[-1].pk
    assert not visits_unaggregated().exists()
    assert not mission.visits.filter(aggregated=True).exists()  # no flag flipped
    if written is not None:
        assert rows_written(["observation_visit"]) == written
    assert turnout(mission) == [("10:00", 200, 1500)]
    assert_matches_recompute(mission)
    assert missions_due_for_reconcile(now=timezone.now() + dt.timedelta(hours=1)) == []


def test_a_visit_above_the_watermark_is_claimed_once_by_the_next_reconcile(station):
    from tests.reports.factories import VisitFactory

    mission = station.mission
    first = VisitFactory(station=station, voters_so_far=10)
    assert aggregates_reconcile(mission=mission, now=timezone.now()).claimed == 1
    later = VisitFactory(station=station, voters_so_far=20)

    assert list(visits_unaggregated()) == [later]
    assert aggregates_reconcile(mission=mission, now=timezone.now()).claimed == 1
    assert aggregates_reconcile(mission=mission, now=timezone.now()).claimed == 0
    assert not visits_unaggregated().exists()
    assert AggregateState.objects.get(mission=mission).visits_aggregated_through == later.pk
    assert first.pk < later.pk
    assert_matches_recompute(mission)


def test_the_watermark_of_one_mission_does_not_cover_another(station, other_mission):
    from tests.reports.factories import VisitFactory

    elsewhere = VisitFactory(station=StationFactory(district__parent__mission=other_mission))
    VisitFactory(station=station)

    aggregates_reconcile(mission=station.mission, now=timezone.now())

    assert list(visits_unaggregated()) == [elsewhere]
    assert missions_due_for_reconcile(now=timezone.now() + dt.timedelta(hours=1)) == [
        other_mission.pk
    ]


def test_an_update_flips_only_the_visits_above_the_watermark(pipeline, station):
    from tests.reports.factories import VisitFactory

    mission = station.mission
    loaded = VisitFactory(station=station, arrived_at=local(9, 10), voters_so_far=100)
    aggregates_reconcile(mission=mission, now=timezone.now())

    announced = pipeline.submit(station=station, arrived_at=local(9, 50), voters_so_far=150)

    loaded.refresh_from_db()
    announced.refresh_from_db()
    assert loaded.aggregated is False  # counted by the watermark: not written again
    assert announced.aggregated is True
    assert not visits_unaggregated().exists()
    assert turnout(mission) == [("10:00", 150, 1000)]
    assert_matches_recompute(mission)


def test_stations_added_without_notice_are_noticed_by_the_count_check(station):
    mission = station.mission
    aggregates_reconcile(mission=mission, now=timezone.now())
    assert missions_due_for_reconcile(now=timezone.now()) == []

    StationFactory(
        mission=mission, district=station.district, region=station.region, area=station.district
    )

    assert missions_due_for_reconcile(now=timezone.now()) == [mission.pk]


def test_a_busy_mission_is_not_rebuilt_while_its_updates_are_in_flight(pipeline, station):
    pipeline.submit(station=station, voters_so_far=5)
    StationFactory(mission=station.mission, district=station.district, region=station.region)
    PendingStation.objects.create(
        mission=station.mission, station_id=station.pk, changed_at=timezone.now()
    )

    assert missions_due_for_reconcile(now=timezone.now()) == []


def test_reconcile_command_reports_each_mission(pipeline, station, capsys):
    from tests.reports.factories import VisitFactory

    pipeline.submit(station=station, voters_so_far=5)

    call_command("reconcile_aggregates", mission=station.mission.pk)

    out = capsys.readouterr().out
    assert f"mission {station.mission.pk}" in out and "0 cells changed" in out
    assert "claimed" not in out
    VisitFactory(station=station)
    call_command("reconcile_aggregates", mission=station.mission.pk)
    assert "1 visits loaded past the pipeline claimed" in capsys.readouterr().out


def test_as_of_moves_with_each_update(pipeline, station):
    assert selectors.aggregates_as_of(mission=station.mission) is None

    pipeline.submit(station=station, voters_so_far=5)
    first = selectors.aggregates_as_of(mission=station.mission)
    pipeline.submit(station=station, voters_so_far=6)

    assert first is not None and first.tzinfo == ALMATY
    assert selectors.aggregates_as_of(mission=station.mission) >= first


# --- the SQLite branch of the hour bucket (the embedded default) --------------------------


@pytest.mark.parametrize(
    ("timezone_name", "stored", "expected"),
    [
        # Asia/Almaty is UTC+6 in 2022: 10:00 local is 04:00 UTC.
        ("Asia/Almaty", "2022-11-20 04:00:00", "2022-11-20 04:00:00"),
        ("Asia/Almaty", "2022-11-20 04:00:00.000001", "2022-11-20 05:00:00"),
        ("Asia/Almaty", "2022-11-20 03:00:00.500000", "2022-11-20 04:00:00"),
        ("Asia/Almaty", "2022-11-20 17:59:59", "2022-11-20 18:00:00"),
        # India is UTC+5:30: local hours start at half past in UTC.
        ("Asia/Kolkata", "2022-11-20 04:30:00", "2022-11-20 04:30:00"),
        ("Asia/Kolkata", "2022-11-20 04:30:01", "2022-11-20 05:30:00"),
        ("Asia/Kolkata", "2022-11-20 04:29:00", "2022-11-20 04:30:00"),
        # Newfoundland is UTC-3:30.
        ("America/St_Johns", "2022-11-20 13:31:00", "2022-11-20 14:30:00"),
        ("America/St_Johns", "2022-11-20 23:30:00", "2022-11-20 23:30:00"),
    ],
)
def test_the_hour_bucket_matches_the_rule(mission, timezone_name, stored, expected):
    mission.timezone = timezone_name
    sql, params = aggregate_sql._bucket_sql(mission)

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM (SELECT %s::timestamptz AS arrived_at) v",  # noqa: S608
            [*params, f"{stored}+00"],
        )
        (bucket,) = cursor.fetchone()

    assert bucket == dt.datetime.fromisoformat(f"{expected}+00:00")


def test_the_demo_mission_comes_with_its_aggregates_and_official_turnout():
    from demo.mission import seed_demo

    mission = seed_demo(size="small")

    assert_matches_recompute(mission)
    assert selectors.aggregates_as_of(mission=mission) is not None
    assert [
        (row["at"].strftime("%H:%M"), row["turnout_pct"])
        for row in selectors.official_turnout_rows(mission=mission)
    ] == [("10:00", 23.4), ("14:00", 51.2), ("18:00", 67.9), ("20:00", 69.4)]


def test_a_station_import_rebuilds_the_coverage_totals(
    pipeline, station, coordinator, django_capture_on_commit_callbacks
):
    from missions.imports import stations_import
    from tests.missions.uploads import STATION_HEADER, csv_upload

    pipeline.submit(station=station, voters_so_far=5)
    rows = [
        STATION_HEADER,
        [station.code, station.name, station.region.name, station.district.name, 2000],
        ["NEW-1", "New school", "New region", "New district", 800],
    ]

    with django_capture_on_commit_callbacks(execute=True):
        result = stations_import(mission=station.mission, file=csv_upload(rows), actor=coordinator)

    assert result.ok and result.created == 1 and result.updated == 1
    coverage = selectors.coverage_rows(mission=station.mission, level="region")
    assert sorted((r["area_name"], r["stations_total"], r["visits"]) for r in coverage) == [
        ("New region", 1, 0),
        (station.region.name, 1, 1),
    ]
    assert turnout(station.mission)[0][2] == 2000  # the station's new registered voters
