"""The benchmark mission at election scale: 10,101 stations, 641 observers, N visits.

Stations and people come from the demo generator (bulk inserts); visits are streamed into
PostgreSQL with COPY, findings derived from them in one set-based INSERT.

    DATABASE_URL=postgres://... python -m bench.seed --visits 100000
"""

import argparse
import datetime as dt
import io
import json
import random
import time
import uuid


def seed_scale(*, visits: int, size: str = "full", seed: int = 7, name: str = "Benchmark mission"):
    """Create the benchmark mission and ``visits`` VOTING visits; returns the mission."""
    from django.db import transaction

    from demo.mission import SIZES, demo_mission_create

    with transaction.atomic():
        mission, *_people = demo_mission_create(
            name=name, spec=SIZES[size], rng=random.Random(seed)
        )
    add_visits(mission=mission, count=visits, seed=seed)
    return mission


def add_visits(*, mission, count: int, seed: int = 7, aggregated: bool = False) -> None:
    """Add ``count`` VOTING visits (and a finding on every twentieth) to the mission.

    ``aggregated=True`` writes them as already counted by incremental updates (as they would
    be on a day that went well), so the next reconcile measures the periodic rebuild rather
    than the one-time claim of that many visits nobody announced (an UPDATE of every row).
    """
    from django.db import connection, transaction
    from django.db.models import Max

    from demo.answers import _answers
    from missions.models import Observer
    from observation.models import Checklist, Question, Visit

    rng = random.Random(seed * 1_000_003 + count)
    stations = list(mission.stations.order_by("id"))
    observers = list(Observer.objects.filter(mission=mission).order_by("id"))
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    questions = list(Question.objects.filter(checklist=checklist).order_by("position", "id"))
    variants = [json.dumps(_answers(questions, rng, bad=rng.random() < 0.07)) for _ in range(64)]
    with transaction.atomic():
        last_id = Visit.objects.aggregate(last=Max("id"))["last"] or 0
        _copy_visits(mission, checklist, stations, observers, variants, count, rng, aggregated)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO observation_finding
                    (visit_id, category, severity, description, review_status, review_reason,
                     created_at)
                SELECT id,
                       (ARRAY['SECRECY','FAMILY_VOTING','UNAUTHORIZED_PERSONS','PROCEDURE',
                              'VOTER_LIST'])[1 + id %% 5],
                       (ARRAY['MINOR','MINOR','SERIOUS','CRITICAL'])[1 + id %% 4],
                       'Benchmark finding', 'PENDING', '', created_at
                FROM observation_visit
                WHERE mission_id = %s AND id > %s AND id %% 20 = 0
                """,
                [mission.pk, last_id],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE observation_visit; ANALYZE observation_finding;")


def _copy_visits(mission, checklist, stations, observers, variants, count, rng, aggregated):
    from django.db import connection

    from demo.mission import official_turnout_pct

    midnight = dt.datetime.combine(mission.election_date, dt.time(0, 0), tzinfo=mission.tzinfo)
    now = dt.datetime.now(dt.UTC).isoformat()
    by_team = {}
    for observer in observers:
        by_team.setdefault(observer.team_id, []).append(observer.pk)
    team_ids = list(by_team)
    columns = (
        "mission_id, client_uuid, station_id, team_id, observer_id, checklist_id, stage, "
        "arrived_at, departed_at, voters_so_far, assessment, answers, notes, status, flags, "
        "payload_hash, aggregated, created_at, updated_at"
    )
    assessments = ["VERY_GOOD", "GOOD", "GOOD", "GOOD", "BAD", "VERY_BAD"]
    batch = 50_000
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor, for copy_expert
        for start in range(0, count, batch):
            buffer = io.StringIO()
            for _ in range(min(batch, count - start)):
                station = stations[rng.randrange(len(stations))]
                team = team_ids[rng.randrange(len(team_ids))]
                hour = rng.uniform(7.05, 19.95)
                arrived = midnight + dt.timedelta(minutes=round(hour * 60))
                departed = arrived + dt.timedelta(minutes=rng.randint(15, 45))
                turnout = official_turnout_pct(hour) / 100 * rng.uniform(0.85, 1.12)
                voters = min(station.registered_voters, round(station.registered_voters * turnout))
                row = (
                    mission.pk,
                    uuid.UUID(int=rng.getrandbits(128)),
                    station.pk,
                    team,
                    rng.choice(by_team[team]),
                    checklist.pk,
                    "VOTING",
                    arrived.isoformat(),
                    departed.isoformat(),
                    voters,
                    rng.choice(assessments),
                    variants[rng.randrange(len(variants))].replace("\\", "\\\\"),
                    "",
                    "SUBMITTED",
                    "[]",
                    "",
                    "t" if aggregated else "f",
                    now,
                    now,
                )
                buffer.write("\t".join(map(str, row)) + "\n")
            buffer.seek(0)
            raw.copy_expert(f"COPY observation_visit ({columns}) FROM STDIN", buffer)


def main():
    import os

    import django

    parser = argparse.ArgumentParser(description="Seed the benchmark mission.")
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    started = time.monotonic()
    mission = seed_scale(visits=args.visits, seed=args.seed)
    print(
        f"Seeded mission {mission.pk}: {mission.stations.count()} stations, "
        f"{mission.observers.count()} observers, {args.visits} visits "
        f"in {time.monotonic() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
