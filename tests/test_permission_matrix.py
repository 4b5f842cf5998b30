"""The permission matrix: every route x every persona x every method has an expected answer.

The routes come from the URL configuration itself (``get_resolver()``), so a route added
without a rule in ``RULES`` below fails ``test_every_route_has_a_rule`` with instructions. For
each rule, each persona and each method the rule lists, one request is made against a small
world of two missions (``tests/world.py``) and its answer must fall in the expected class:

- ``OK``: allowed. 2xx or a redirect that is not to the login page; for a method that
  changes something, also 400 (the request carries an empty body).
- ``LOGIN``: anonymous. 302 to the login page for a page, 401 for the API.
- ``DENY``: 403. The caller can see the object but their role may not do this
  (an analyst, who reads everything and changes nothing, posting a review).
- ``HIDE``: 404. The caller may not know the object exists (another mission, another
  team, the press outside briefings, a user of no mission).

A method the rule does not list must answer 405. Every 4xx answer to a method that changes
something must leave the database as it was. Routes that name an object (a visit, a
checklist, ...) are also asked, by the mission's coordinator, for the other mission's
object: always a 404.
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from tests.world import PERSONAS, world_fixture

pytestmark = pytest.mark.django_db
world = world_fixture()

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITES = ("POST", "PUT", "PATCH", "DELETE")

OK, LOGIN, DENY, HIDE = "OK", "LOGIN", "DENY", "HIDE"


def policy(default=HIDE, **by_persona) -> dict:
    """Expected answer per persona; anonymous gets LOGIN unless said otherwise."""
    expected = {persona: default for persona in PERSONAS}
    expected["anonymous"] = LOGIN
    expected.update(by_persona)
    return expected


# --- Policies: who gets what. Pick one for each method of a new route. ---------------------
# Anyone, logged in or not.
PUBLIC = policy(default=OK, anonymous=OK)
# Any logged-in user (the page shows each user only their own things).
SIGNED_IN = policy(default=OK)
# The mission's coordinators and analysts read; everyone else gets a 404.
STAFF_READ = policy(coordinator=OK, analyst=OK)
# The mission's coordinators change; analysts see it but get a 403; everyone else a 404.
COORDINATOR_WRITE = policy(coordinator=OK, analyst=DENY)
# The mission's coordinators, analysts and observers (of any team) read.
MISSION_READ = policy(coordinator=OK, analyst=OK, observer=OK, other_team_observer=OK)
# The mission's observers (of any team): their phone pages.
OBSERVERS = policy(observer=OK, other_team_observer=OK)
# An object of one team (a visit, a finding): staff and that team's observers read.
TEAM_READ = policy(coordinator=OK, analyst=OK, observer=OK)
# ... coordinators change it; analysts and the team see it, so they get a 403.
TEAM_COORDINATOR_WRITE = policy(coordinator=OK, analyst=DENY, observer=DENY)
# ... coordinators and the team's observers add to it (a photo); analysts get a 403.
TEAM_WRITE = policy(coordinator=OK, analyst=DENY, observer=OK)
# The mission's coordinators only, reading too (messages to observers): analysts get a 403.
COORDINATOR_ONLY = policy(coordinator=OK, analyst=DENY)
# Platform staff only (is_staff): every mission role gets a 403.
PLATFORM_STAFF = policy(default=DENY)
# Platform staff and whoever coordinates a mission (any mission): everyone else gets a 403.
MISSION_CREATORS = policy(default=DENY, coordinator=OK, other_mission_coordinator=OK)
# A released briefing (not public): the mission's staff and press read it; nobody else,
# not even asked to log in (the same URL serves public briefings to anyone).
BRIEFING_READ = policy(coordinator=OK, analyst=OK, press=OK, anonymous=HIDE)
# ... and only coordinators withdraw it; staff and press see it, so they get a 403.
BRIEFING_WRITE = policy(coordinator=OK, analyst=DENY, press=DENY)


@dataclass(frozen=True)
class Rule:
    """What each persona gets for each method of one route. Unlisted methods must be 405.

    ``pk`` names the world object a ``<pk>`` in the URL stands for (``"visit"``); other URL
    parameters are looked up in ``OBJECT_KWARGS``; ``extra`` gives values for the rest (a
    value or a function of the world).
    """

    GET: dict | None = None
    POST: dict | None = None
    PUT: dict | None = None
    PATCH: dict | None = None
    DELETE: dict | None = None
    pk: str | None = None
    extra: dict = field(default_factory=dict)

    def methods(self) -> dict:
        return {m: getattr(self, m) for m in METHODS if getattr(self, m) is not None}


# URL parameter -> the world object whose id fills it.
OBJECT_KWARGS = {
    "mission_id": "mission",
    "area_id": "area",
    "station_id": "station",
    "visit_id": "visit",
    "finding_id": "finding",
    "checklist_id": "checklist",
    "observer_id": "observer",
    "team_id": "team",
    "photo_id": "photo",
    "membership_id": "membership",
    "briefing_id": "briefing",
    "sample_id": "sample",
    "job_id": "import_job",
}

# Routes the matrix does not walk, each with the reason.
SKIPPED = {
    "admin": "Django admin: superusers only, Django's own checks",
    "set_language": "i18n: Django's language switch, no data",
    "schema": "the OpenAPI schema: public, fuzzed in tests/test_fuzz.py",
    "api-docs": "Swagger UI over the schema: public, static assets",
}

# The rules, keyed by URL name ("namespace:name" inside a namespace).
RULES = {
    # Django's own pages.
    "login": Rule(GET=PUBLIC, POST=PUBLIC, PUT=PUBLIC),  # FormView treats PUT as POST
    "logout": Rule(POST=policy(default=LOGIN)),  # everyone lands on the login page
    "healthz": Rule(GET=PUBLIC),
    # API: the root and tokens.
    "api-root": Rule(GET=PUBLIC),
    "auth-token": Rule(POST=PUBLIC),
    # API: missions, stations, observers, members, imports.
    # Platform staff and the coordinators of any mission create missions.
    "mission-list": Rule(GET=SIGNED_IN, POST=MISSION_CREATORS),
    "mission-detail": Rule(
        GET=MISSION_READ,
        # Observers see their mission but may not change it.
        PATCH=policy(coordinator=OK, analyst=DENY, observer=DENY, other_team_observer=DENY),
        pk="mission",
    ),
    "station-list": Rule(GET=MISSION_READ),
    "observer-list": Rule(GET=STAFF_READ),
    "station-import": Rule(POST=COORDINATOR_WRITE),
    "observer-import": Rule(POST=COORDINATOR_WRITE),
    "import-job-detail": Rule(GET=STAFF_READ),
    "member-list": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "mission-audit": Rule(GET=STAFF_READ),
    # The world's membership is the mission's only coordinator: removing it is a 400.
    "member-detail": Rule(DELETE=COORDINATOR_WRITE),
    # API: checklists, visits, findings, photos, device tokens.
    "checklist-list": Rule(GET=MISSION_READ),
    "visit-list": Rule(
        GET=SIGNED_IN,
        # Only observers submit visits; every other signed-in user gets a 403.
        POST=policy(default=DENY, observer=OK, other_team_observer=OK),
    ),
    "visit-detail": Rule(GET=TEAM_READ, DELETE=TEAM_COORDINATOR_WRITE, pk="visit"),
    "visit-review": Rule(POST=TEAM_COORDINATOR_WRITE, pk="visit"),
    "finding-review": Rule(POST=TEAM_COORDINATOR_WRITE, pk="finding"),
    "finding-photos": Rule(POST=TEAM_WRITE, pk="finding"),
    "photo-detail": Rule(GET=STAFF_READ, pk="photo"),
    "observer-token": Rule(POST=COORDINATOR_WRITE, DELETE=COORDINATOR_WRITE, pk="observer"),
    # Observer phone pages.
    "observation:observe-index": Rule(GET=SIGNED_IN),
    "observation:observe-sw": Rule(GET=PUBLIC),
    "observation:observe-device": Rule(GET=PUBLIC, POST=PUBLIC),
    "observation:observe-stations": Rule(GET=OBSERVERS),
    "observation:observe-visit": Rule(GET=OBSERVERS),
    "observation:observe-visits": Rule(GET=OBSERVERS),
    # Coordinator pages: checklists and device codes.
    "observation:checklist-list": Rule(GET=STAFF_READ),
    "observation:checklist-detail": Rule(GET=STAFF_READ),
    "observation:checklist-edit": Rule(GET=COORDINATOR_WRITE, POST=COORDINATOR_WRITE),
    "observation:observer-list": Rule(GET=STAFF_READ),
    "observation:observer-qr": Rule(GET=COORDINATOR_WRITE, POST=COORDINATOR_WRITE),
    "reports:device-cards": Rule(GET=COORDINATOR_WRITE, POST=COORDINATOR_WRITE),
    # Reports by SMS: the log, settings and simulator show observers' phones and act for
    # them: coordinators only (analysts 404). The cheat-sheets: staff read.
    "observation:sms-log": Rule(GET=policy(coordinator=OK)),
    "observation:sms-settings": Rule(POST=policy(coordinator=OK)),
    "observation:sms-simulator": Rule(GET=policy(coordinator=OK), POST=policy(coordinator=OK)),
    "observation:sms-cheatsheet": Rule(GET=STAFF_READ),
    # SMS webhooks: gateways prove themselves by signature or secret, not as users; without
    # one every caller gets a 403, logged in or not.
    "sms-twilio": Rule(POST=policy(default=DENY, anonymous=DENY)),
    "sms-inbound": Rule(POST=policy(default=DENY, anonymous=DENY)),
    # Dashboard, drill-down and review.
    "reports:dashboard": Rule(GET=STAFF_READ),
    "reports:dashboard-feed": Rule(GET=STAFF_READ),
    "reports:dashboard-map": Rule(GET=STAFF_READ),
    "reports:outlines-upload": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "reports:area": Rule(GET=STAFF_READ),
    "reports:station": Rule(GET=STAFF_READ),
    "reports:visit": Rule(GET=STAFF_READ),
    "reports:visit-review": Rule(POST=COORDINATOR_WRITE),
    "reports:finding-review": Rule(POST=COORDINATOR_WRITE),
    "reports:review": Rule(GET=STAFF_READ),
    # Statistics.
    "statistics:statement": Rule(GET=STAFF_READ),
    "statistics:statement-markdown": Rule(GET=STAFF_READ),
    "statistics:statement-pdf": Rule(GET=STAFF_READ),
    "statistics:turnout-estimate": Rule(GET=STAFF_READ),
    "statistics:quick-count": Rule(GET=STAFF_READ),
    "statistics:forensics": Rule(GET=STAFF_READ),
    "statistics:candidates": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "estimate-turnout": Rule(GET=STAFF_READ),
    "estimate-quick-count": Rule(GET=STAFF_READ),
    # Aggregates, official turnout and exports.
    "aggregates-turnout": Rule(GET=STAFF_READ),
    "aggregates-assessments": Rule(GET=STAFF_READ),
    "aggregates-findings": Rule(GET=STAFF_READ),
    "aggregates-coverage": Rule(GET=STAFF_READ),
    "mission-charts": Rule(GET=STAFF_READ),
    "mission-chart-csv": Rule(GET=STAFF_READ, extra={"name": "coverage_by_area"}),
    "official-turnout-list": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "official-turnout-detail": Rule(DELETE=COORDINATOR_WRITE, pk="official_turnout"),
    "reports:official-turnout": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "mission-export": Rule(GET=STAFF_READ, extra={"dataset": "visits", "fmt": "csv"}),
    # Briefings.
    "mission-briefings": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "briefing-list": Rule(GET=PUBLIC),
    "briefing-detail": Rule(GET=BRIEFING_READ),
    "briefing-withdraw": Rule(POST=BRIEFING_WRITE),
    "briefing-chart-file": Rule(
        GET=BRIEFING_READ,
        extra={
            "name": lambda world: world.objects["briefing"].snapshot["charts"][0]["name"],
            "fmt": "csv",
        },
    ),
    "briefing-pack": Rule(GET=BRIEFING_READ, POST=BRIEFING_READ),
    "briefing-pack-file": Rule(GET=BRIEFING_READ),
    "reports:briefings": Rule(GET=PUBLIC),
    # Any coordinator writes and publishes (choosing among the missions they coordinate), and
    # previews the key messages as they will read.
    "reports:briefing-publish": Rule(
        GET=policy(coordinator=OK, other_mission_coordinator=OK),
        POST=policy(coordinator=OK, other_mission_coordinator=OK),
    ),
    "reports:briefing-preview": Rule(POST=policy(coordinator=OK, other_mission_coordinator=OK)),
    "reports:briefing-present": Rule(GET=BRIEFING_READ),
    "reports:briefing-slides": Rule(GET=BRIEFING_READ),
    # The world's briefing is not public: nobody may embed its charts, not even its mission.
    "reports:briefing-embed": Rule(
        GET=policy(default=HIDE, anonymous=HIDE),
        extra={"name": lambda world: world.objects["briefing"].snapshot["charts"][0]["name"]},
    ),
    "reports:briefing": Rule(GET=BRIEFING_READ),
    "reports:briefing-withdraw": Rule(POST=BRIEFING_WRITE),
    # Setting a mission up: members, imports, teams, samples, downloads.
    "missions:members": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "missions:import": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE, extra={"kind": "stations"}),
    "missions:import-job": Rule(GET=STAFF_READ),
    "missions:import-job-confirm": Rule(POST=COORDINATOR_WRITE),
    "missions:import-job-status": Rule(GET=STAFF_READ),
    "missions:teams": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "reports:deployment": Rule(GET=STAFF_READ),
    "missions:samples": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "missions:sample": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "missions:sample-csv": Rule(GET=STAFF_READ),
    "missions:downloads": Rule(GET=STAFF_READ),
    "missions:audit": Rule(GET=STAFF_READ),
    "sample-list": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "sample-detail": Rule(GET=STAFF_READ),
    "sample-stations": Rule(GET=STAFF_READ),
    "sample-use": Rule(POST=COORDINATOR_WRITE),
    # Home, and setting a new mission up.
    "missions:home": Rule(GET=SIGNED_IN),
    "missions:mission-new": Rule(GET=MISSION_CREATORS, POST=MISSION_CREATORS),
    # The operations room: reporting status, incidents, messages, live figures, the wall.
    "reporting-status": Rule(GET=STAFF_READ),
    "reporting-contacts": Rule(POST=COORDINATOR_WRITE),
    "incident-list": Rule(GET=STAFF_READ),
    "finding-triage": Rule(POST=COORDINATOR_WRITE, pk="finding"),
    "mission-messages": Rule(GET=COORDINATOR_ONLY, POST=COORDINATOR_ONLY),
    # Every signed-in user reads their own messages (none, unless an observer).
    "message-list": Rule(GET=SIGNED_IN),
    # The world's message went to every observer of the mission.
    "message-read": Rule(POST=OBSERVERS, pk="message"),
    "mission-live": Rule(GET=STAFF_READ),
    "operations:reporting": Rule(GET=STAFF_READ),
    "operations:reporting-calls": Rule(GET=STAFF_READ),
    "operations:reporting-contact": Rule(POST=COORDINATOR_WRITE),
    "operations:reporting-settings": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),
    "operations:incidents": Rule(GET=STAFF_READ),
    "operations:incidents-acknowledge": Rule(POST=COORDINATOR_WRITE),
    "operations:incident": Rule(GET=STAFF_READ),
    "operations:incident-triage": Rule(POST=COORDINATOR_WRITE),
    "operations:messages": Rule(GET=COORDINATOR_ONLY, POST=COORDINATOR_ONLY),
    "operations:wall": Rule(GET=STAFF_READ),
    "operations:wall-data": Rule(GET=STAFF_READ),
    "operations:dashboard-live": Rule(GET=STAFF_READ),
    "operations:observe-messages": Rule(GET=OBSERVERS),
}


# --- Walking the URL configuration ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name, or the pattern when the route has none
    pattern: str
    kwargs: tuple
    view: str

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def _kwarg_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):  # path()
        return list(pattern.converters)
    return list(pattern.regex.groupindex)  # re_path() and DRF routers


def _clean(pattern: str) -> str:
    return pattern.replace("^", "").replace("$", "")


def _walk(patterns, prefix="", namespace=None, kwargs=()):
    for entry in patterns:
        here = prefix + _clean(str(entry.pattern))
        names = (*kwargs, *_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            if here.startswith("admin/"):
                yield Route("admin", here, (), "django.contrib.admin")
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, here, inner, names)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            callback = entry.callback
            view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            view = f"{callback.__module__}.{(view_class or callback).__qualname__}"
            yield Route(key or here, here, names, view)


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if route.key not in seen:
            seen.add(route.key)
            routes.append(route)
    return routes


ROUTES = all_routes()
CHECKED = [route for route in ROUTES if route.key in RULES]


def _missing_rule_message(route: Route) -> str:
    kwargs = [k for k in route.kwargs if k not in ("pk",) and k not in OBJECT_KWARGS]
    lines = [
        f"The route {route.key!r} (/{route.pattern}, view {route.view}) has no rule in the "
        "permission matrix.",
        "",
        "Add one to RULES in tests/test_permission_matrix.py, listing every HTTP method the "
        "view answers and who may use it, for example:",
        "",
        f'    "{route.key}": Rule(GET=STAFF_READ, POST=COORDINATOR_WRITE),',
        "",
        "Policies: PUBLIC, SIGNED_IN, STAFF_READ, COORDINATOR_WRITE, MISSION_READ, OBSERVERS, "
        "TEAM_READ, TEAM_COORDINATOR_WRITE, TEAM_WRITE, PLATFORM_STAFF, BRIEFING_READ, "
        "BRIEFING_WRITE, or your own "
        "policy(coordinator=OK, analyst=DENY, ...) (unlisted personas get HIDE = 404, "
        "anonymous LOGIN).",
    ]
    if "pk" in route.kwargs:
        lines.append(
            'The URL has <pk>: say which world object it is with pk="visit" (see '
            "tests/world.py for the objects)."
        )
    if kwargs:
        lines.append(
            f"The URL parameters {kwargs} are not in OBJECT_KWARGS: add them there (parameter "
            "-> world object, building the object in tests/world.py if needed) or give fixed "
            'values with extra={"name": "value"}.'
        )
    lines.append(
        "If the route must not be in the matrix, add it to SKIPPED with the reason instead."
    )
    return "\n".join(lines)


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_every_route_has_a_rule(route):
    if route.key in SKIPPED:
        return
    assert route.key in RULES, _missing_rule_message(route)


def test_every_rule_names_a_route():
    keys = {route.key for route in ROUTES}
    stale = sorted(set(RULES) - keys) + sorted(set(SKIPPED) - keys)
    assert not stale, (
        f"RULES or SKIPPED in tests/test_permission_matrix.py name routes that no longer exist: "
        f"{stale}. Remove them or rename them to the route's new URL name."
    )


# --- Making the requests -------------------------------------------------------------------


def build_url(route: Route, world, *, objects=None) -> str:
    rule = RULES[route.key]
    objects = objects or world.objects
    kwargs = {}
    for name in route.kwargs:
        if name in rule.extra:
            value = rule.extra[name]
            kwargs[name] = value(world) if callable(value) else value
        elif name == "pk":
            assert rule.pk, f"{route.key}: the URL has <pk>; give the rule pk=<world object>."
            kwargs[name] = objects[rule.pk].pk
        else:
            assert name in OBJECT_KWARGS, _missing_rule_message(route)
            kwargs[name] = objects[OBJECT_KWARGS[name]].pk
    return reverse(route.key, kwargs=kwargs)


_CLIENTS = {}


def client_for(persona: str, world, *, api: bool) -> Client:
    """A client logged in as ``persona``: by token for the API, by session for pages.

    Clients are reused (building one loads every middleware); cookies start afresh each time.
    """
    client = _CLIENTS.get((persona, api))
    if client is None:
        client = _CLIENTS[(persona, api)] = Client()
        if api and persona != "anonymous":
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[persona]}"
    client.cookies.clear()
    if not api and persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def send(client: Client, method: str, url: str):
    return client.generic(method, url, b"", content_type="application/json")


def answer_class(response, *, route: Route, method: str) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 302 and location.startswith(settings.LOGIN_URL):
        return LOGIN
    if status == 401 and route.is_api:
        return LOGIN
    if 200 <= status < 400 or (status == 400 and method in WRITES):
        return OK
    return {403: DENY, 404: HIDE}.get(status, f"HTTP {status}")


def describe(response) -> str:
    body = b"" if response.streaming else response.content
    return f"HTTP {response.status_code} {response.headers.get('Location', '')} {body[:300]!r}"


def _table_counts_sql() -> str:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        # Not axes: recording a failed login attempt is what a refused login must do.
        if model._meta.app_label in ("missions", "observation", "reports", "authtoken", "auth")
        and model._meta.managed
        and not model._meta.proxy
    )
    return "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)


def table_counts():
    with connection.cursor() as cursor:
        cursor.execute(_table_counts_sql())
        return cursor.fetchone()


CASES = [
    pytest.param(route, method, persona, id=f"{route.key}-{method}-{persona}")
    for route in CHECKED
    for method in RULES[route.key].methods()
    for persona in PERSONAS
]


@pytest.mark.parametrize(("route", "method", "persona"), CASES)
def test_permission(world, route, method, persona):
    expected = RULES[route.key].methods()[method][persona]
    url = build_url(route, world)
    client = client_for(persona, world, api=route.is_api)
    before = table_counts() if method in WRITES else None

    response = send(client, method, url)

    got = answer_class(response, route=route, method=method)
    assert got == expected, f"{persona} {method} {url}: expected {expected}: {describe(response)}"
    if method in WRITES and 400 <= response.status_code < 500 and response.status_code != 401:
        assert table_counts() == before, f"{persona} {method} {url} answered 4xx yet changed data"


def _privileged(rule: Rule) -> str | None:
    """A persona that may use the route, to check that other methods are refused."""
    for persona in ("coordinator", "observer", "analyst", "outsider", "anonymous"):
        if any(expected[persona] == OK for expected in rule.methods().values()):
            return persona
    return None


UNDECLARED = [
    pytest.param(route, method, id=f"{route.key}-{method}")
    for route in CHECKED
    for method in METHODS
    if method not in RULES[route.key].methods() and _privileged(RULES[route.key])
]


@pytest.mark.parametrize(("route", "method"), UNDECLARED)
def test_methods_without_a_rule_are_refused(world, route, method):
    persona = _privileged(RULES[route.key])
    client = client_for(persona, world, api=route.is_api)
    url = build_url(route, world)

    response = send(client, method, url)

    assert response.status_code == 405, (
        f"{persona} {method} {url} answered {describe(response)}. Either the view should "
        f"refuse {method} (require_http_methods / require_GET / require_POST on a function "
        f"view) or the rule for {route.key!r} in tests/test_permission_matrix.py must list it."
    )


FOREIGN = [
    pytest.param(route, method, id=f"{route.key}-{method}")
    for route in CHECKED
    for method in RULES[route.key].methods()
    if (
        any(k in OBJECT_KWARGS and k != "mission_id" for k in route.kwargs)
        or RULES[route.key].pk not in (None, "mission")
    )
    and RULES[route.key].methods()[method]["coordinator"] in (OK, DENY)
]


@pytest.mark.parametrize(("route", "method"), FOREIGN)
def test_another_missions_object_is_a_404_even_under_your_own_mission(world, route, method):
    """/missions/<ours>/visits/<theirs>/: the coordinator of ours must get a 404."""
    objects = {**world.foreign, "mission": world.mission}
    url = build_url(route, world, objects=objects)
    client = client_for("coordinator", world, api=route.is_api)
    before = table_counts() if method in WRITES else None

    response = send(client, method, url)

    assert response.status_code == 404, f"coordinator {method} {url}: {describe(response)}"
    if before is not None:
        assert table_counts() == before


# --- Junk in the query string never makes a 500 --------------------------------------------

JUNK_QUERY = (
    "page=x&page=-1&page_size=abc&region=x&district=%00&area=-5&stage=NOPE&status=NOPE"
    "&level=nowhere&from=garbage&to=2022-13-45T99:99&version=x&all=maybe&mission=abc"
    "&station=abc&code=%FF&organisation=x&severity=NOPE&category=NOPE&versions=x&q=%00"
    "&observer=x&team=x&since=x&until=x&kind=x&actor=x&action=x&object_type=x&fmt=x"
)


READABLE = [
    pytest.param(route, id=route.key)
    for route in CHECKED
    if (RULES[route.key].GET or {}).get("coordinator") == OK
]


@pytest.mark.parametrize("route", READABLE)
def test_junk_in_the_query_string_is_never_a_server_error(world, route):
    url = build_url(route, world) + "?" + JUNK_QUERY
    client = client_for("coordinator", world, api=route.is_api)

    response = send(client, "GET", url)

    assert response.status_code < 500, describe(response)


# --- Junk in a form is a 4xx (or a redirect with a message) and changes nothing ------------

# Field names the pages' forms use, each with a value no form accepts.
JUNK_FORM = {
    "observer": "abc",
    "deployment": "1e9",
    "candidate": "-1",
    "delete": "x",
    "team": "abc",
    "position": "first",
    "size": "many",
    "seed": "-5",
    "day": "2022-02-31",
    "time": "25:61",
    "percent": "NaN",
    "area": "\x00",
    "region": "abc",
    "stations": "\x00" * 3,
    "usernames": "\x00",
    "username": "bad name!",
    "password": "1",
    "role": "EMPEROR",
    "status": "MAYBE",
    "reason": "x" * 20_000,
    "token": "x" * 100,
    "mission": "abc",
    "embargo_until": "yesterday",
    "property": "\x00",
    "q-TOTAL_FORMS": "abc",
    "q-INITIAL_FORMS": "-1",
    "next": "https://evil.example/",
    "kind": "nothing",
}
FORM_ACTIONS = ("", "create", "assign", "unassign", "deploy", "undeploy", "add", "update", "delete")

POSTABLE = [
    pytest.param(route, action, id=f"{route.key}-{action or 'none'}")
    for route in CHECKED
    if not route.is_api and (RULES[route.key].POST or {}).get("coordinator") == OK
    for action in FORM_ACTIONS
]


@pytest.mark.parametrize(("route", "action"), POSTABLE)
def test_junk_in_a_form_is_refused_and_changes_nothing(world, route, action):
    url = build_url(route, world)
    client = client_for("coordinator", world, api=False)
    before = table_counts()

    response = client.post(url, {**JUNK_FORM, "action": action})

    assert response.status_code < 500, describe(response)
    assert response.status_code != 200, f"a junk form was accepted: {describe(response)}"
    if response.status_code >= 400:
        assert table_counts() == before, f"{url} answered {response.status_code} yet changed data"
    location = response.headers.get("Location", "")
    assert not location.startswith("https://evil.example"), "an open redirect"
