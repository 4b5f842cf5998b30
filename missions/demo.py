"""The demo mission: shaped like Kazakhstan's presidential election of 20 November 2022.

20 regions (17 oblasts and the cities Astana, Almaty and Shymkent) with districts, about
10,000 polling stations whose registered voters sum to about 11.95 million, 641 observers from
35 states and 10 organisations in teams of two, and a day of visits from before 07:00 to after
20:00 whose turnout follows the figures the election commission announced (23.4% at 10:00,
51.2% at 14:00, 67.9% at 18:00, 69.4% final). Everything is written with bulk inserts.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from observation.models import Checklist, Finding, Question, Severity, Stage, Visit, VisitStatus
from observation.services import checklists_create_default

from .models import (
    Area,
    AreaLevel,
    Deployment,
    MemberRole,
    Membership,
    Mission,
    Observer,
    Organisation,
    PollingStation,
    Team,
)

DEMO_MISSION_NAME = "Kazakhstan presidential election 2022 (demo)"
DEMO_PASSWORD = "observatory"
DEMO_LOGINS = [
    ("admin", "platform administrator (Django admin at /admin/)"),
    ("coordinator", "mission coordinator: dashboard, review, briefings"),
    ("analyst", "mission analyst: dashboards and exports, read-only"),
    ("observer", "short-term observer in team T001: phone pages at /observe/"),
    ("press", "press officer: published briefings at /briefings/"),
]

# name, code, registered voters (thousands), centre (lat, lon), urban share
REGIONS = [
    ("Abai", "ABA", 430, (50.41, 80.25), 0.55),
    ("Akmola", "AKM", 520, (51.95, 69.40), 0.45),
    ("Aktobe", "AKT", 560, (50.28, 57.17), 0.60),
    ("Almaty Region", "ALR", 900, (43.60, 77.05), 0.35),
    ("Atyrau", "ATY", 390, (47.10, 51.92), 0.55),
    ("East Kazakhstan", "VOS", 500, (49.95, 82.61), 0.60),
    ("Jambyl", "ZHA", 730, (42.90, 71.37), 0.40),
    ("Zhetysu", "ZHE", 450, (45.02, 78.37), 0.40),
    ("Karaganda", "KAR", 800, (49.80, 73.10), 0.80),
    ("Kostanay", "KUS", 590, (53.21, 63.63), 0.55),
    ("Kyzylorda", "KZY", 480, (44.85, 65.51), 0.45),
    ("Mangystau", "MAN", 430, (43.65, 51.17), 0.50),
    ("Pavlodar", "PAV", 520, (52.29, 76.97), 0.70),
    ("North Kazakhstan", "SEV", 400, (54.87, 69.15), 0.45),
    ("Turkistan", "YUZ", 1150, (43.30, 68.25), 0.25),
    ("Ulytau", "ULY", 140, (47.78, 67.71), 0.75),
    ("West Kazakhstan", "ZAP", 450, (51.23, 51.37), 0.50),
    ("Astana", "AST", 800, (51.17, 71.45), 1.00),
    ("Almaty", "ALA", 1300, (43.24, 76.89), 1.00),
    ("Shymkent", "SHY", 620, (42.32, 69.59), 1.00),
]
TOTAL_REGISTERED = 11_950_000
TOTAL_STATIONS = 10_101

# The election commission's announced turnout, as (hour, percent); 07:00 is the opening.
OFFICIAL_TURNOUT = [(7, 0.0), (10, 23.4), (14, 51.2), (18, 67.9), (20, 69.4)]

NATIONALITIES = [
    "AT",
    "AZ",
    "BE",
    "BG",
    "BY",
    "CA",
    "CH",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GB",
    "GE",
    "GR",
    "HU",
    "IE",
    "IT",
    "KG",
    "LT",
    "LV",
    "MD",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "RS",
    "RU",
    "SE",
    "SK",
    "TJ",
    "US",
]  # 35 states
ORGANISATIONS = [
    "OSCE/ODIHR",
    "OSCE Parliamentary Assembly",
    "PACE",
    "CIS Observer Mission",
    "SCO Observer Mission",
    "European Platform for Democratic Elections",
    "ENEMO",
    "Association of Central Election Bodies",
    "Inter-Parliamentary Assembly of the CIS",
    "Turkic Council Observer Mission",
]  # 10 organisations
FIRST_NAMES = [
    "Anna",
    "Lars",
    "Maria",
    "Jan",
    "Elena",
    "Pierre",
    "Sofia",
    "Tomas",
    "Ingrid",
    "Marco",
    "Olga",
    "Peter",
    "Laura",
    "Andrei",
    "Katarina",
    "David",
    "Nino",
    "Mikko",
    "Ewa",
    "Dmitri",
]
LAST_NAMES = [
    "Novak",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Ivanova",
    "Dubois",
    "Larsen",
    "Horvat",
    "Petrov",
    "Berg",
    "Moreau",
    "Virtanen",
    "Popescu",
    "Kim",
    "Smith",
    "Garcia",
    "Jansen",
    "Nagy",
]

# YES_NO questions for which "yes" reports a problem; for the rest "yes" is the norm.
PROBLEM_QUESTIONS = {
    "O07",
    "O09",
    "V01",
    "V05",
    "V06",
    "V08",
    "V09",
    "V11",
    "V12",
    "L03",
    "L04",
    "C11",
    "T02",
    "T03",
}
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
COUNT_CATEGORIES = [("COUNT_IRREGULARITY", 10), ("PROTOCOL", 8), ("PROCEDURE", 6)]


@dataclass(frozen=True)
class Size:
    regions: int
    districts_per_region: tuple[int, int]
    stations: int
    registered: int
    observers: int


SIZES = {
    "full": Size(20, (5, 12), TOTAL_STATIONS, TOTAL_REGISTERED, 641),
    "small": Size(3, (2, 2), 30, 36_000, 9),
}


def official_turnout_pct(hour: float) -> float:
    """The announced turnout curve, interpolated linearly between announcements."""
    if hour <= OFFICIAL_TURNOUT[0][0]:
        return 0.0
    for (h0, p0), (h1, p1) in zip(OFFICIAL_TURNOUT, OFFICIAL_TURNOUT[1:]):
        if hour <= h1:
            return p0 + (p1 - p0) * (hour - h0) / (h1 - h0)
    return OFFICIAL_TURNOUT[-1][1]


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def demo_mission_exists() -> bool:
    return Mission.objects.filter(name=DEMO_MISSION_NAME).exists()


@transaction.atomic
def seed_demo(*, size: str = "full", seed: int = 20221120) -> Mission:
    """Create the demo mission with its people, stations and a day of visits."""
    spec = SIZES[size]
    rng = random.Random(seed)
    mission = Mission.objects.create(
        name=DEMO_MISSION_NAME,
        country="KZ",
        election_date=dt.date(2022, 11, 20),
        timezone="Asia/Almaty",
        polls_open=dt.time(7, 0),
        polls_close=dt.time(20, 0),
        registered_voters=spec.registered,
    )
    checklists_create_default(mission=mission)
    _seed_candidates(mission)
    stations = _seed_stations(mission, spec, rng)
    teams, observers = _seed_people(mission, spec, rng)
    routes = _seed_visits(mission, stations, teams, observers, rng)
    _seed_deployments(mission, stations, routes, seed)
    _seed_official_turnout(mission)
    _seed_quick_count_sample(mission, stations, teams, observers, spec, seed)
    # The visits above were bulk-inserted past the aggregation pipeline (and marked aggregated,
    # since this transaction builds the aggregates): build them.
    from reports.aggregation import aggregates_reconcile

    aggregates_reconcile(mission=mission, now=timezone.now())
    return mission


def _seed_official_turnout(mission):
    """The commission's announcements (the 0% at opening is the curve's origin, not one)."""
    from reports.models import OfficialTurnout

    OfficialTurnout.objects.bulk_create(
        [
            OfficialTurnout(
                mission=mission,
                at=dt.datetime.combine(mission.election_date, dt.time(hour), tzinfo=mission.tzinfo),
                percent=Decimal(str(percent)),
                created_at=timezone.now(),
            )
            for hour, percent in OFFICIAL_TURNOUT
            if percent > 0
        ]
    )


def _seed_stations(mission, spec, rng):
    regions_spec = REGIONS[: spec.regions]
    weight_total = sum(r[2] for r in regions_spec)
    regions = Area.objects.bulk_create(
        [
            Area(mission=mission, level=AreaLevel.REGION, depth=1, code=code, name=name)
            for name, code, *_ in regions_spec
        ]
    )
    districts_by_region = {}
    new_districts = []
    for region, (name, code, *_) in zip(regions, regions_spec):
        count = rng.randint(*spec.districts_per_region)
        label = (
            "District" if region.name not in ("Astana", "Almaty", "Shymkent") else "City district"
        )
        for number in range(1, count + 1):
            new_districts.append(
                Area(
                    mission=mission,
                    parent=region,
                    level=AreaLevel.DISTRICT,
                    depth=2,
                    code=f"{code}-{number:02d}",
                    name=f"{name} {label} {number}",
                )
            )
    for district in Area.objects.bulk_create(new_districts):
        districts_by_region.setdefault(district.parent_id, []).append(district)

    stations = []
    remaining_stations = spec.stations
    for index, (region, (_name, code, voters_k, centre, urban_share)) in enumerate(
        zip(regions, regions_spec)
    ):
        last = index == len(regions) - 1
        share = voters_k / weight_total
        count = remaining_stations if last else max(1, round(spec.stations * share))
        remaining_stations -= count
        districts = districts_by_region[region.pk]
        for number in range(1, count + 1):
            district = districts[number % len(districts)]
            # Rural stations are many and small; urban ones fewer and larger.
            urban = rng.random() < urban_share
            stations.append(
                PollingStation(
                    mission=mission,
                    code=f"{code}-{number:04d}",
                    name=f"Polling station {number} ({'school' if urban else 'village club'})",
                    area=district,
                    region=region,
                    district=district,
                    registered_voters=rng.randint(1200, 2600) if urban else rng.randint(150, 1400),
                    latitude=round(centre[0] + rng.uniform(-1.2, 1.2), 6),
                    longitude=round(centre[1] + rng.uniform(-1.8, 1.8), 6),
                    urban=urban,
                    abroad=False,
                )
            )
    # Scale registered voters so the total matches the real roll.
    factor = spec.registered / sum(s.registered_voters for s in stations)
    for station in stations:
        station.registered_voters = max(50, round(station.registered_voters * factor))
    return PollingStation.objects.bulk_create(stations, batch_size=2000)


def _seed_people(mission, spec, rng):
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: 641 hashes would take minutes
    organisations = Organisation.objects.bulk_create(
        [Organisation(mission=mission, name=name) for name in ORGANISATIONS]
    )
    team_count = max(1, spec.observers // 2)
    teams = Team.objects.bulk_create(
        [Team(mission=mission, code=f"T{number:03d}") for number in range(1, team_count + 1)]
    )
    usernames = ["observer"] + [f"obs{n:03d}" for n in range(2, spec.observers + 1)]
    existing = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    User.objects.bulk_create(
        [User(username=u, password=password) for u in usernames if u not in existing]
    )
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    observers = []
    for index, username in enumerate(usernames):
        # Every state and organisation is represented; the rest are spread at random.
        nationality = (
            NATIONALITIES[index] if index < len(NATIONALITIES) else rng.choice(NATIONALITIES)
        )
        organisation = (
            organisations[index % len(organisations)]
            if index < len(NATIONALITIES) + len(organisations)
            else rng.choice(organisations)
        )
        observers.append(
            Observer(
                mission=mission,
                user=users[username],
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                organisation=organisation,
                nationality=nationality,
                role="STO" if index % 20 else "LTO",
                team=teams[min(index // 2, team_count - 1)],
                languages="en, ru" if index % 3 == 0 else "en",
                # E.164, as the observer import stores them: they report by SMS too.
                phone=f"+7701{index + 1:07d}",
            )
        )
    observers = Observer.objects.bulk_create(observers)
    Membership.objects.bulk_create(
        [Membership(user=users[u], mission=mission, role=MemberRole.OBSERVER) for u in usernames]
    )
    for username, role in (
        ("coordinator", MemberRole.COORDINATOR),
        ("analyst", MemberRole.ANALYST),
        ("press", MemberRole.PRESS),
    ):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.password = password
            user.save(update_fields=["password"])
        Membership.objects.create(user=user, mission=mission, role=role)
    if not User.objects.filter(username="admin").exists():
        User.objects.create(username="admin", password=password, is_staff=True, is_superuser=True)
    return teams, observers


def _answers(questions, rng, *, bad: bool, counts: dict | None = None) -> dict:
    answers = {}
    for question in questions:
        condition = question.show_if
        if condition and answers.get(condition["question"]) != condition["equals"]:
            continue
        if counts and question.code in counts:
            answers[question.code] = counts[question.code]
        elif question.type == "YES_NO":
            problem = question.code in PROBLEM_QUESTIONS
            p_true = (0.35 if bad else 0.05) if problem else (0.7 if bad else 0.96)
            answers[question.code] = rng.random() < p_true
        elif question.type == "INTEGER":
            low = question.min if question.min is not None else 0
            high = min(question.max if question.max is not None else low + 20, low + 20)
            answers[question.code] = rng.randint(low, high)
        elif question.type == "CHOICE":
            answers[question.code] = rng.choice([_value(c) for c in question.choices])
        elif question.type == "MULTI_CHOICE":
            values = [_value(c) for c in question.choices]
            answers[question.code] = rng.sample(values, rng.randint(1, min(2, len(values))))
        elif question.required:
            answers[question.code] = "-"
    return answers


def _value(choice):
    return choice["value"] if isinstance(choice, dict) else choice


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
            answers=_answers(questions[stage], rng, bad=bad, counts=counts),
            status=VisitStatus.SUBMITTED,
            # Past the pipeline: seed_demo rebuilds the aggregates in the same transaction.
            aggregated=True,
        )
        if voters is not None and voters > station.registered_voters:
            visit.status = VisitStatus.FLAGGED
            visit.flags = [
                {
                    "code": "VOTERS_ABOVE_REGISTERED",
                    "message": "More ballots issued than voters registered.",
                }
            ]
        visits.append(visit)
        categories = COUNT_CATEGORIES if stage == Stage.COUNTING else FINDING_CATEGORIES
        if bad or rng.random() < 0.06:
            findings_by_visit[len(visits) - 1] = [
                (
                    _weighted(rng, categories),
                    _weighted(
                        rng, [(Severity.MINOR, 5), (Severity.SERIOUS, 3), (Severity.CRITICAL, 1)]
                    ),
                )
                for _ in range(rng.randint(1, 2))
            ]

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
        counts = {
            "C02": min(received, 10000),
            "C03": min(final, 10000),
            "C04": min(received - final, 10000),
            "C05": min(final - invalid, 10000),
            "C06": invalid,
            **_pvt_counts(last, ballots=final, invalid=invalid),
        }
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


# --- the quick count: candidates, their votes on the counting forms, a sample of stations ---

# Fictional candidates (code, name, national share of valid votes).
CANDIDATES = [
    ("NURLANOVA", "Asel Nurlanova", 0.62),
    ("SEITKALI", "Bolat Seitkali", 0.21),
    ("OMAROVA", "Dana Omarova", 0.11),
    ("KASSYMOV", "Yerlan Kassymov", 0.06),
]
# A PVT sample of this many stations (full size) and the hours sampled stations report turnout.
PVT_SAMPLE = {"full": 300, "small": 12}
PVT_TURNOUT_HOURS = (10, 14, 18)
# About one count in thirty does not reconcile (a slip of a few ballots), as in real protocols.
PVT_SLIP_RATE = 1 / 30
# What the sample sees against the announced turnout: the same in the morning and at 14:00,
# lower from the evening on (the commission's 18:00 and final figures run ahead of it).
PVT_TURNOUT_FACTOR = {10: 1.0, 14: 1.0, 18: 0.96, "final": 0.965}


def _seed_candidates(mission):
    """The candidates; their votes become questions of the (not yet visited) counting form."""
    from reports.candidates import pvt_checklist_sync
    from reports.models import Candidate

    Candidate.objects.bulk_create(
        [
            Candidate(mission=mission, code=code, name=name, position=position)
            for position, (code, name, _share) in enumerate(CANDIDATES, start=1)
        ]
    )
    pvt_checklist_sync(mission=mission, actor=None, now=timezone.now())


def _pvt_counts(station, *, ballots: int, invalid: int) -> dict:
    """Each candidate's votes at one station, consistent with its ballots and invalid ballots.

    Shares vary by station around the national ones (rural stations lean to the leader); a
    random stream of the station's own keeps the main stream, and so every other visit, as
    it was.
    """
    rng = random.Random(f"pvt-{station.code}")
    lean = 1.15 if station.urban is False else 0.95
    weights = [
        share * (lean if index == 0 else 1) * rng.uniform(0.75, 1.25)
        for index, (_code, _name, share) in enumerate(CANDIDATES)
    ]
    valid = max(0, ballots - invalid)
    total = sum(weights)
    votes = [int(valid * w / total) for w in weights]
    votes[0] += valid - sum(votes)
    counts = {f"PVT_{code}": v for (code, _name, _share), v in zip(CANDIDATES, votes)}
    box = ballots
    if rng.random() < PVT_SLIP_RATE:
        box += rng.choice([-3, -2, -1, 1, 2, 4])
    counts["PVT_INVALID"] = invalid
    counts["PVT_BALLOTS"] = max(0, min(box, 10000))
    return counts


def _seed_quick_count_sample(mission, stations, teams, observers, spec, seed):
    """Draw the PVT sample and have its stations report turnout at 10:00, 14:00 and 18:00 and
    their count after closing (the stations the teams counted at already have theirs)."""
    from missions.sampling import sample_draw

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
        counts = {
            "C02": min(received, 10000),
            "C03": min(final, 10000),
            "C04": min(received - final, 10000),
            "C05": min(final - invalid, 10000),
            "C06": invalid,
            **_pvt_counts(station, ballots=final, invalid=invalid),
        }
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
