"""The demo's day of visits (answers shaped by the announced turnout) and deployments."""

import datetime as dt
import random
import uuid

from missions.models import (
    Deployment,
)
from observation.models import Checklist, Finding, Question, Severity, Stage, Visit, VisitStatus
from observation.services.visit_flags import visit_flag

from .answers import _answers, counting_answers, findings_answers
from .spec import _weighted, official_turnout_pct

# What observers find at each stage, and how often.
OPENING_CATEGORIES = [
    ("UNAUTHORIZED_PERSONS", 6),
    ("VOTER_LIST", 5),
    ("PROCEDURE", 10),
    ("OBSERVER_RESTRICTED", 3),
    ("OTHER", 3),
]
FINDING_CATEGORIES = [
    ("UNAUTHORIZED_PERSONS", 18),
    ("SECRECY", 16),
    ("FAMILY_VOTING", 12),
    ("MULTIPLE_VOTING", 6),
    ("BALLOT_STUFFING", 3),
    ("PRESSURE_ON_VOTERS", 5),
    ("CAMPAIGNING", 4),
    ("VOTER_LIST", 8),
    ("PROCEDURE", 14),
    ("OBSERVER_RESTRICTED", 5),
    ("OTHER", 4),
]
CLOSING_CATEGORIES = [
    ("UNAUTHORIZED_PERSONS", 5),
    ("PROCEDURE", 10),
    ("OBSERVER_RESTRICTED", 3),
    ("OTHER", 2),
]
COUNT_CATEGORIES = [("COUNT_IRREGULARITY", 10), ("PROTOCOL", 8), ("PROCEDURE", 6)]
STAGE_CATEGORIES = {
    Stage.OPENING: OPENING_CATEGORIES,
    Stage.VOTING: FINDING_CATEGORIES,
    Stage.CLOSING: CLOSING_CATEGORIES,
    Stage.COUNTING: COUNT_CATEGORIES,
}


def _seed_visits(mission, stations, teams, observers, rng):
    tz = mission.tzinfo
    day = mission.election_date
    checklists = {c.stage: c for c in Checklist.objects.filter(mission=mission, is_current=True)}
    questions = {stage: [] for stage in checklists}
    for question in Question.objects.filter(checklist__mission=mission).order_by(
        "checklist_id", "position", "id"
    ):
        for stage, checklist in checklists.items():
            if checklist.pk == question.checklist_id:
                questions[stage].append(question)
    by_region = {}
    for station in stations:
        by_region.setdefault(station.region_id, []).append(station)
    region_ids = list(by_region)
    region_weights = [len(by_region[r]) for r in region_ids]
    members = {}
    for observer in observers:
        members.setdefault(observer.team_id, []).append(observer)

    def at(hour_float):
        minutes = round(hour_float * 60)
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(minutes=minutes)

    visits, findings_by_visit, routes = [], {}, {}

    def add(team, station, stage, start, stay, voters, bad, counts=None):
        observer = rng.choice(members[team.pk])
        if stage in (Stage.OPENING,):
            assessment = "VERY_BAD" if bad and rng.random() < 0.3 else ("BAD" if bad else None)
        else:
            assessment = None
        if assessment is None:
            assessment = (
                rng.choice(["BAD", "VERY_BAD"])
                if bad
                else rng.choice(["GOOD", "GOOD", "VERY_GOOD"])
            )
        # The findings first, so that the answers agree with them (FINDING_EVIDENCE).
        found = []
        if bad or rng.random() < 0.06:
            found = [
                (
                    _weighted(rng, STAGE_CATEGORIES[stage]),
                    _weighted(
                        rng, [(Severity.MINOR, 5), (Severity.SERIOUS, 3), (Severity.CRITICAL, 1)]
                    ),
                )
                for _ in range(rng.randint(1, 2))
            ]
        given = findings_answers([category for category, _s in found], questions[stage], rng)
        visit = Visit(
            mission=mission,
            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
            station=station,
            team=team,
            observer=observer,
            checklist=checklists[stage],
            stage=stage,
            arrived_at=at(start),
            departed_at=at(start + stay),
            voters_so_far=voters,
            assessment=assessment,
            answers=_answers(questions[stage], rng, bad=bad, counts=counts, given=given),
            status=VisitStatus.SUBMITTED,
            # Past the pipeline: seed_demo rebuilds the aggregates in the same transaction.
            aggregated=True,
        )
        if voters is not None and voters > station.registered_voters:
            visit.status = VisitStatus.FLAGGED
            visit.flags = [
                visit_flag(
                    "VOTERS_ABOVE_REGISTERED",
                    voters=voters,
                    registered=station.registered_voters,
                    station=station.code,
                )
            ]
        visits.append(visit)
        if found:
            findings_by_visit[len(visits) - 1] = found

    for team in teams:
        pool = by_region[rng.choices(region_ids, weights=region_weights)[0]]
        route = rng.sample(pool, min(len(pool), 11))
        routes[team.pk] = route
        # Opening at the first station, shortly before 07:00.
        add(
            team,
            route[0],
            Stage.OPENING,
            6.55 + rng.uniform(0, 0.2),
            0.6,
            None,
            rng.random() < 0.08,
        )
        clock = 8.0 + rng.uniform(0, 0.8)
        for station in route[1:-1]:
            if clock > 19.3:
                break
            turnout = official_turnout_pct(clock) / 100 * rng.uniform(0.85, 1.12)
            voters = min(station.registered_voters, round(station.registered_voters * turnout))
            if rng.random() < 0.004:
                voters = station.registered_voters + rng.randint(5, 60)  # suspicious report
            add(
                team,
                station,
                Stage.VOTING,
                clock,
                rng.uniform(0.3, 0.6),
                voters,
                rng.random() < 0.07,
            )
            clock += rng.uniform(0.9, 1.4)
        last = route[-1]
        final = round(last.registered_voters * 0.694 * rng.uniform(0.85, 1.12))
        final = min(final, last.registered_voters)
        add(team, last, Stage.CLOSING, 19.75 + rng.uniform(0, 0.1), 0.5, final, rng.random() < 0.1)
        bad_count = rng.random() < 0.45
        received = last.registered_voters + rng.randint(0, 50)
        invalid = rng.randint(0, max(1, final // 50))
        counts = counting_answers(last, received=received, ballots=final, invalid=invalid)
        add(team, last, Stage.COUNTING, 20.3, rng.uniform(1.5, 3.0), final, bad_count, counts)

    created = Visit.objects.bulk_create(visits, batch_size=2000)
    findings = []
    for index, pairs in findings_by_visit.items():
        for category, severity in pairs:
            findings.append(
                Finding(
                    visit=created[index],
                    category=category,
                    severity=severity,
                    description=f"{category.replace('_', ' ').capitalize()} observed "
                    f"at {created[index].station.code}.",
                )
            )
    Finding.objects.bulk_create(findings, batch_size=2000)
    return routes


def _seed_deployments(mission, stations, routes, seed):
    """Each team's deployment on election day: its route plus one or two spare stations.

    The spares come from the same region, drawn from a random stream of their own so that
    adding deployments left the seeded visits exactly as they were.
    """
    rng = random.Random(seed + 1)
    by_region = {}
    for station in stations:
        by_region.setdefault(station.region_id, []).append(station)
    deployments = Deployment.objects.bulk_create(
        [
            Deployment(mission=mission, team_id=team_id, day=mission.election_date)
            for team_id in routes
        ]
    )
    through = Deployment.stations.through
    rows = []
    for deployment in deployments:
        route = routes[deployment.team_id]
        on_route = {station.pk for station in route}
        spares = [s for s in by_region[route[0].region_id] if s.pk not in on_route]
        extra = rng.sample(spares, min(len(spares), rng.randint(1, 2)))
        rows.extend(
            through(deployment_id=deployment.pk, pollingstation_id=station.pk)
            for station in [*route, *extra]
        )
    through.objects.bulk_create(rows, batch_size=5000)
