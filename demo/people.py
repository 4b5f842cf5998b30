"""The demo's stations and people: regions, districts, stations, observers in teams of two."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from missions.models import (
    Area,
    AreaLevel,
    MemberRole,
    Membership,
    Observer,
    Organisation,
    PollingStation,
    Team,
)
from reports.maps.world import country_rings, inside

from .spec import DEMO_PASSWORD, REGIONS

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
                    **_place(centre, urban=urban, city=urban_share >= 1, rng=rng),
                    urban=urban,
                    abroad=False,
                )
            )
    # Scale registered voters so the total matches the real roll.
    factor = spec.registered / sum(s.registered_voters for s in stations)
    for station in stations:
        station.registered_voters = max(50, round(station.registered_voters * factor))
    return PollingStation.objects.bulk_create(stations, batch_size=2000)


def _place(centre, *, urban: bool, city: bool, rng) -> dict:
    """A station's coordinates around its region's centre: urban ones close to it, rural ones
    scattered across the region (normally distributed, not in a square), inside the country's
    outline (Natural Earth, as the dashboard's map draws it)."""
    rings = country_rings("KZ")
    spread = (0.06, 0.09) if city else (0.2, 0.3) if urban else (0.75, 1.2)
    for _attempt in range(30):
        lat = centre[0] + rng.gauss(0, spread[0])
        lon = centre[1] + rng.gauss(0, spread[1])
        if not rings or inside(rings, lon, lat):
            break
    else:
        lat, lon = centre
    return {"latitude": round(lat, 6), "longitude": round(lon, 6)}


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
                # Fictional E.164 numbers, one per observer (SMS reports are matched by phone),
                # and fictional addresses: the observer import's optional columns.
                phone=f"+7701{index + 1:07d}",
                email=f"{username}@observers.example.org",
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
