"""Fuzzing the API with schemathesis: every operation of /api/schema/, as a coordinator and
as an observer, with generated inputs. No answer may be a 5xx, and every answer must match
what the schema says about it (status code, body, content type, headers).

The schema is loaded from the WSGI application (no server); requests go through the same
application, on the test's database connection, against the small world of two missions in
``tests/world.py``. Path parameters are set to the world's objects, so ``/visits/{id}/`` asks
for a visit that exists (and, for the observer, is of their own team); the query strings and
bodies are hypothesis's. A few examples per operation, derandomized: the same cases every run.

The schema is fetched at import, before any database exists: ``/api/schema/`` must read no
data and open no transaction (``config/urls.py``), or collecting this module fails.

Run time: about 50 s for the 98 cases on the 2-core development machine at load 4 (most of
it in requests; the chart files render through Chromium).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from missions.models import Membership
from tests.world import world_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
world = world_fixture()

# A deeper run by hand: FUZZ_EXAMPLES=100 FUZZ_COVERAGE=1 pytest tests/test_fuzz.py, and
# FUZZ_PERSONAS=analyst,press,outsider for other callers (tests/world.py's personas).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
PERSONAS = tuple(os.environ.get("FUZZ_PERSONAS", "coordinator,observer").split(","))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    status_code_conformance,
]

# Schemathesis's "coverage" phase (boundary and invalid values for every parameter, derived
# from the schema) is off: it adds about 75 s to the run here, past the two minutes this module
# may take in the suite. With it on, the module passed as well (98 cases, 113 s, 2026-11-28).
# The "examples" and "fuzzing" phases run: EXAMPLES generated cases per operation and persona.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"}}}
    ),
)


@pytest.fixture(autouse=True)
def one_connection():
    """Keep the test's database connection across requests.

    Django's handler closes the connection when a request finishes (``close_old_connections``);
    its test client turns that off, the WSGI client schemathesis uses does not. Without this
    every request after the first would find the connection, and the test's transaction, gone.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# "/visits/{id}/" and the like: which world object an "{id}" after this segment names.
ID_AFTER = {
    "visits": "visit",
    "findings": "finding",
    "photos": "photo",
    "observers": "observer",
    "missions": "mission",
    "official-turnout": "official_turnout",
    "messages": "message",
}


@pytest.fixture(scope="module")
def targets(world) -> dict:
    """Ids for path parameters named the same in every path."""
    objects = world.objects
    return {
        "mission_id": objects["mission"].pk,
        "briefing_id": objects["briefing"].pk,
        "sample_id": objects["sample"].pk,
        # The press member: removing them succeeds (the coordinator is the last one).
        "membership_id": Membership.objects.get(user=world.users["press"]).pk,
    }


def path_values(world, targets: dict, path: str) -> dict:
    """Values for the path parameters of ``path`` that name the world's objects."""
    objects = world.objects
    segments = path.strip("/").split("/")
    values = dict(targets)
    if "{id}" in segments:
        values["id"] = objects[ID_AFTER[segments[segments.index("{id}") - 1]]].pk
    if "{name}.{fmt}" in segments:  # a briefing's chart
        values["name"] = objects["briefing"].snapshot["charts"][0]["name"]
    if "{name}.csv" in segments:  # a mission chart
        values["name"] = "coverage_by_area"
    return values


@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, persona, world, targets):
    for name, value in path_values(world, targets, case.path).items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value

    # Each example starts from the same world: what one changes (a deleted visit, a revoked
    # token) is rolled back before the next.
    with transaction.atomic():
        try:
            case.call_and_validate(
                headers={"Authorization": f"Token {world.tokens[persona]}"}, checks=CHECKS
            )
        finally:
            transaction.set_rollback(True)
