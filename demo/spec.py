"""What the demo mission looks like: its logins, regions, sizes and announced turnout."""

from dataclasses import dataclass

DEMO_MISSION_NAME = "Kazakhstan presidential election 2022 (demo)"
DEMO_PASSWORD = "observatory"
DEMO_LOGINS = [
    ("admin", "platform administrator (Django admin at /admin/)"),
    ("coordinator", "mission coordinator: dashboard, review, briefings"),
    ("analyst", "mission analyst: dashboards and exports, read-only"),
    ("observer", "short-term observer in team T001: phone pages at /observe/"),
    ("press", "press officer: published briefings at /briefings/"),
]

# name, code, registered voters (thousands), centre (lat, lon), urban share. The centre is the
# region's administrative centre (public coordinates): Semey, Kokshetau, Aktobe, Konaev,
# Atyrau, Oskemen, Taraz, Taldykorgan, Karaganda, Kostanay, Kyzylorda, Aktau, Pavlodar,
# Petropavl, Turkistan, Zhezkazgan, Oral, and the three cities themselves.
REGIONS = [
    ("Abai", "ABA", 430, (50.41, 80.23), 0.55),
    ("Akmola", "AKM", 520, (53.28, 69.39), 0.45),
    ("Aktobe", "AKT", 560, (50.28, 57.17), 0.60),
    ("Almaty Region", "ALR", 900, (43.87, 77.07), 0.35),
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
