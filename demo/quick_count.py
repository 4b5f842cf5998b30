"""The demo's quick count: candidates, their votes on the counting forms, a PVT sample."""

import datetime as dt
import random
import uuid

from django.db.models import F
from django.utils import timezone

from missions.models import (
    Deployment,
)
from missions.sampling import sample_draw
from observation.models import Checklist, Question, Stage, Visit, VisitStatus
from reports.models import Candidate
from reports.statistics.services import pvt_checklist_sync

from .answers import CANDIDATES, _answers, counting_answers
from .spec import official_turnout_pct

# A PVT sample of this many stations (full size) and the hours sampled stations report turnout.
PVT_SAMPLE = {"full": 300, "small": 12}
PVT_TURNOUT_HOURS = (10, 14, 18)
# What the sample sees against the announced turnout: the same in the morning and at 14:00,
# lower from the evening on (the commission's 18:00 and final figures run ahead of it).
PVT_TURNOUT_FACTOR = {10: 1.0, 14: 1.0, 18: 0.96, "final": 0.965}


def _seed_candidates(mission):
    """The candidates; their votes become questions of the (not yet visited) counting form."""

    Candidate.objects.bulk_create(
        [
            Candidate(mission=mission, code=code, name=name, position=position)
            for position, (code, name, _share) in enumerate(CANDIDATES, start=1)
        ]
    )
    pvt_checklist_sync(mission=mission, actor=None, now=timezone.now())


def _seed_quick_count_sample(mission, stations, teams, observers, spec, seed):
    """Draw the PVT sample and have its stations report turnout at 10:00, 14:00 and 18:00 and
    their count after closing (the stations the teams counted at already have theirs)."""

    size = PVT_SAMPLE["small" if spec.stations < 1000 else "full"]
    sample = sample_draw(mission=mission, size=min(size, len(stations)), seed=seed)
    rng = random.Random(seed + 2)
    tz = mission.tzinfo
    checklists = {c.stage: c for c in Checklist.objects.filter(mission=mission, is_current=True)}
    questions = {stage: [] for stage in checklists}
    for question in Question.objects.filter(checklist__in=checklists.values()).order_by(
        "checklist_id", "position", "id"
    ):
        questions[next(s for s, c in checklists.items() if c.pk == question.checklist_id)].append(
            question
        )
    by_id = {station.pk: station for station in stations}
    counted = set(
        Visit.objects.filter(mission=mission, stage=Stage.COUNTING).values_list(
            "station_id", flat=True
        )
    )
    team_members = {}
    for observer in observers:
        team_members.setdefault(observer.team_id, []).append(observer)
    teams = [team for team in teams if team.pk in team_members]
    # Each sampled station goes to a team working in its region, and joins that team's
    # deployment on election day (teams visit only the stations they are deployed to).
    through = Deployment.stations.through
    deployments = dict(
        Deployment.objects.filter(mission=mission, day=mission.election_date).values_list(
            "team_id", "id"
        )
    )
    region_teams = {}
    for team_id, region_id in (
        through.objects.filter(deployment__mission=mission)
        .order_by("deployment__team_id")
        .values_list("deployment__team_id", "pollingstation__region_id")
        .distinct()
    ):
        if team_id in team_members:
            region_teams.setdefault(region_id, []).append(team_id)
    team_by_id = {team.pk: team for team in teams}
    deployed = set(
        through.objects.filter(deployment__mission=mission).values_list(
            "deployment_id", "pollingstation_id"
        )
    )
    new_deployed = []

    def at(hour_float):
        midnight = dt.datetime.combine(mission.election_date, dt.time(0, 0), tzinfo=tz)
        return midnight + dt.timedelta(minutes=round(hour_float * 60))

    visits = []
    station_ids = sample.stations.order_by("id").values_list("station_id", flat=True)
    for index, station_id in enumerate(station_ids):
        station = by_id[station_id]
        local_teams = region_teams.get(station.region_id)
        team = (
            team_by_id[local_teams[index % len(local_teams)]]
            if local_teams
            else teams[index % len(teams)]
        )
        deployment_id = deployments.get(team.pk)
        if deployment_id is None:
            deployment_id = Deployment.objects.create(
                mission=mission, team=team, day=mission.election_date
            ).pk
            deployments[team.pk] = deployment_id
        if (deployment_id, station_id) not in deployed:
            deployed.add((deployment_id, station_id))
            new_deployed.append(through(deployment_id=deployment_id, pollingstation_id=station_id))
        pace = rng.uniform(0.9, 1.1)  # this station's turnout against the national curve

        def visit(stage, start, stay, voters, answers, team=team, station=station):
            return Visit(
                mission=mission,
                client_uuid=uuid.UUID(int=rng.getrandbits(128)),
                station=station,
                team=team,
                observer=rng.choice(team_members[team.pk]),
                checklist=checklists[stage],
                stage=stage,
                arrived_at=at(start),
                departed_at=at(start + stay),
                voters_so_far=voters,
                assessment=rng.choice(["GOOD", "GOOD", "VERY_GOOD", "GOOD", "BAD"]),
                answers=answers,
                status=VisitStatus.SUBMITTED,
            )

        for hour in PVT_TURNOUT_HOURS:
            # Ballots issued as of the full hour, reported just before it.
            start = hour - rng.uniform(0.02, 0.25)
            turnout = official_turnout_pct(hour) / 100 * pace * PVT_TURNOUT_FACTOR[hour]
            voters = min(station.registered_voters, round(station.registered_voters * turnout))
            answers = _answers(questions[Stage.VOTING], rng, bad=False)
            visits.append(visit(Stage.VOTING, start, 0.2, voters, answers))
        if station_id in counted:
            continue
        final = round(station.registered_voters * 0.694 * pace * PVT_TURNOUT_FACTOR["final"])
        final = min(station.registered_voters, final)
        invalid = rng.randint(0, max(1, final // 50))
        received = station.registered_voters + rng.randint(0, 50)
        counts = counting_answers(station, received=received, ballots=final, invalid=invalid)
        answers = _answers(questions[Stage.COUNTING], rng, bad=False, counts=counts)
        visits.append(
            visit(
                Stage.COUNTING, 20.25 + rng.uniform(0, 0.3), rng.uniform(1.0, 2.5), final, answers
            )
        )
    Visit.objects.bulk_create(visits, batch_size=2000)
    through.objects.bulk_create(new_deployed, batch_size=5000)
    # Counts reach the server as the observers leave the station: the quick count's
    # convergence chart orders reports by their arrival (``created_at``).
    Visit.objects.filter(mission=mission, stage=Stage.COUNTING).update(created_at=F("departed_at"))
