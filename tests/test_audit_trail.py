"""Every mutation issue #7 names writes one audit row, through the same request a user makes.

Each case below makes one request through the HTTP API or a page, as the user would, and then
reads the audit rows it wrote: who (the actor), what (action, object type and id), and the state
before and after. A request that is refused (4xx) must write no row at all: the audit row is
written in the same transaction as the change, so a refused change leaves neither.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from missions.imports import import_job_check, import_job_create
from missions.models import AuditEvent, ImportKind, Membership, Mission
from observation import services as observation_services
from observation.models import Checklist
from reports.briefings.services import briefing_publish
from tests.missions.factories import MembershipFactory, TeamFactory, UserFactory
from tests.missions.uploads import OBSERVER_HEADER, STATION_HEADER, csv_upload
from tests.observation.checklists.test_editor import form_data, q, specs
from tests.observation.factories import VOTING_ANSWERS

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "correct-horse-battery-staple"


@dataclass
class Ctx:
    """A mission with its people and one submitted visit carrying one finding."""

    mission: Mission
    users: dict
    observer: object
    station: object
    checklist: Checklist
    visit: object
    finding: object
    team: object
    briefing: object
    made: dict  # ids of objects a request creates and deletes again

    def api(self, persona: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=self.users[persona])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def page(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.users[persona])
        return client


@pytest.fixture
def ctx(mission, station, coordinator, analyst, press, observer, other_mission_coordinator):
    checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True)
    visit, _ = observation_services.visit_submit(
        observer=observer,
        payload=visit_payload(station=station, checklist=checklist),
        now=timezone.now(),
    )
    staff = UserFactory(username="platform", is_staff=True)
    return Ctx(
        mission=mission,
        users={
            "coordinator": coordinator,
            "analyst": analyst,
            "press": press,
            "observer": observer.user,
            "staff": staff,
            "other_mission_coordinator": other_mission_coordinator,
        },
        observer=observer,
        station=station,
        checklist=checklist,
        visit=visit,
        finding=visit.findings.get(),
        team=observer.team,
        briefing=briefing_publish(
            mission=mission, user=coordinator, now=timezone.now(), title="Published"
        ),
        made={},
    )


def visit_payload(*, station, checklist, **overrides) -> dict:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "station": station.pk,
        "checklist": checklist.pk,
        "arrived_at": "2022-11-20T10:05:00+06:00",
        "departed_at": "2022-11-20T10:40:00+06:00",
        "voters_so_far": 312,
        "assessment": "GOOD",
        "answers": dict(VOTING_ANSWERS),
        "findings": [{"category": "SECRECY", "severity": "SERIOUS", "description": "Open booths."}],
        "notes": "Calm.",
    }
    body.update(overrides)
    return body


def stations_csv(*rows):
    return csv_upload([STATION_HEADER, *rows], name="stations.csv")


def observers_csv(*rows):
    return csv_upload([OBSERVER_HEADER, *rows], name="observers.csv")


def confirm_import(ctx):
    job = import_job_create(
        mission=ctx.mission,
        kind=ImportKind.STATIONS,
        upload=stations_csv(["N1", "New station", "North", "Lake", 900]),
        actor=ctx.users["coordinator"],
        now=timezone.now(),
    )
    import_job_check(job=job, now=timezone.now())
    return ctx.page("coordinator").post(f"/missions/{ctx.mission.pk}/import/jobs/{job.pk}/confirm/")


def edit_checklist(ctx):
    questions = [*specs(ctx.checklist), q("V99", text="Was the ballot box moved?")]
    return ctx.page("coordinator").post(
        f"/missions/{ctx.mission.pk}/checklists/{ctx.checklist.pk}/edit/",
        form_data(questions, initial=len(questions) - 1),
    )


def other_member(ctx, role="ANALYST"):
    membership = MembershipFactory(
        user=UserFactory(username="member2"), mission=ctx.mission, role=role
    )
    ctx.made["membership"] = membership.pk
    return membership


def _removed(ctx, response):
    return ("missions.membership", str(ctx.made["membership"]))


@dataclass(frozen=True)
class Mutation:
    """One request and the audit row it must write.

    ``obj`` gives the audited object's (type, id) from the context and the response;
    ``check`` asserts on the row's before, after and reason.
    """

    name: str
    act: Callable
    status: int
    action: str
    actor: str
    obj: Callable
    check: Callable
    mission: Callable = lambda ctx, response: ctx.mission.pk


def _visit(ctx, response):
    return ("observation.visit", str(ctx.visit.pk))


def _finding(ctx, response):
    return ("observation.finding", str(ctx.finding.pk))


def _mission(ctx, response):
    return ("missions.mission", str(ctx.mission.pk))


MUTATIONS = [
    # --- Visits and findings ----------------------------------------------------------------
    Mutation(
        "visit create (API)",
        lambda ctx: ctx.api("observer").post(
            "/api/v1/visits/",
            visit_payload(station=ctx.station, checklist=ctx.checklist, voters_so_far=400),
            format="json",
        ),
        201,
        "visit.submit",
        "observer",
        lambda ctx, r: ("observation.visit", str(r.json()["id"])),
        lambda ctx, r, e: (
            e.before is None
            and e.after["station"] == ctx.station.code
            and e.after["stage"] == "VOTING"
            and e.after["status"] == "SUBMITTED"
            and e.after["findings"] == 1
        ),
    ),
    Mutation(
        "finding create (API, with its visit)",
        lambda ctx: ctx.api("observer").post(
            "/api/v1/visits/",
            visit_payload(
                station=ctx.station,
                checklist=ctx.checklist,
                findings=[{"category": "CAMPAIGNING", "severity": "MINOR", "description": "<b>"}],
            ),
            format="json",
        ),
        201,
        "finding.create",
        "observer",
        lambda ctx, r: ("observation.finding", str(r.json()["findings"][0]["id"])),
        lambda ctx, r, e: (
            e.before is None
            and e.after["visit"] == r.json()["id"]
            and e.after["category"] == "CAMPAIGNING"
            and e.after["severity"] == "MINOR"
            and e.after["description"] == "<b>"
        ),
    ),
    Mutation(
        "visit verify (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/visits/{ctx.visit.pk}/review/", {"status": "VERIFIED"}, format="json"
        ),
        200,
        "visit.review",
        "coordinator",
        _visit,
        lambda ctx, r, e: e.before["status"] == "SUBMITTED" and e.after["status"] == "VERIFIED",
    ),
    Mutation(
        "visit reject (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/visits/{ctx.visit.pk}/review/",
            {"status": "REJECTED", "reason": "Station closed <script>"},
        ),
        302,
        "visit.review",
        "coordinator",
        _visit,
        lambda ctx, r, e: (
            e.before["status"] == "SUBMITTED"
            and e.after["status"] == "REJECTED"
            and e.reason == "Station closed <script>"
        ),
    ),
    Mutation(
        "visit delete (API)",
        lambda ctx: ctx.api("coordinator").delete(
            f"/api/v1/visits/{ctx.visit.pk}/?reason=Duplicate"
        ),
        204,
        "visit.delete",
        "coordinator",
        _visit,
        lambda ctx, r, e: (
            e.after is None
            and e.before["client_uuid"] == str(ctx.visit.client_uuid)
            and e.before["voters_so_far"] == 312
            and e.before["findings"][0]["category"] == "SECRECY"
            and e.reason == "Duplicate"
        ),
    ),
    Mutation(
        "finding confirm (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/findings/{ctx.finding.pk}/review/",
            {"status": "CONFIRMED", "reason": "Seen twice"},
            format="json",
        ),
        200,
        "finding.review",
        "coordinator",
        _finding,
        lambda ctx, r, e: (
            e.before["review_status"] == "PENDING"
            and e.after["review_status"] == "CONFIRMED"
            and e.reason == "Seen twice"
        ),
    ),
    Mutation(
        "finding dismiss (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/findings/{ctx.finding.pk}/review/",
            {"status": "DISMISSED", "reason": "Not a violation"},
        ),
        302,
        "finding.review",
        "coordinator",
        _finding,
        lambda ctx, r, e: (
            e.before["review_status"] == "PENDING" and e.after["review_status"] == "DISMISSED"
        ),
    ),
    # --- Checklists -------------------------------------------------------------------------
    Mutation(
        "checklists create (API, with a new mission)",
        lambda ctx: ctx.api("staff").post(
            "/api/v1/missions/",
            {
                "name": "By-election",
                "country": "KZ",
                "election_date": "2023-03-19",
                "timezone": "Asia/Almaty",
                "polls_open": "07:00",
                "polls_close": "20:00",
            },
            format="json",
        ),
        201,
        "checklist.create",
        "staff",
        lambda ctx, r: (
            "observation.checklist",
            str(Checklist.objects.get(mission_id=r.json()["id"], stage="OPENING").pk),
        ),
        lambda ctx, r, e: (
            e.before is None
            and e.after["stage"] == "OPENING"
            and e.after["version"] == 1
            and len(e.after["questions"]) > 3
        ),
        mission=lambda ctx, r: r.json()["id"],
    ),
    Mutation(
        "mission create as a copy (page)",
        lambda ctx: ctx.page("coordinator").post(
            "/missions/new/",
            {
                "name": "Copied",
                "country": "KZ",
                "election_date": "2023-03-19",
                "timezone": "Asia/Almaty",
                "polls_open": "07:00",
                "polls_close": "20:00",
                "copy_from": ctx.mission.pk,
            },
        ),
        302,
        "mission.create",
        "coordinator",
        lambda ctx, r: ("missions.mission", str(Mission.objects.get(name="Copied").pk)),
        lambda ctx, r, e: e.before is None and e.after["copied_from"] == ctx.mission.pk,
        mission=lambda ctx, r: Mission.objects.get(name="Copied").pk,
    ),
    Mutation(
        "checklist update (page)",
        edit_checklist,
        302,
        "checklist.revise",
        "coordinator",
        lambda ctx, r: (
            "observation.checklist",
            str(Checklist.objects.get(mission=ctx.mission, stage="VOTING", is_current=True).pk),
        ),
        lambda ctx, r, e: (
            e.before["version"] == 1
            and e.after["version"] == 2  # the old version has a visit: a new one
            and "V99" not in [x["code"] for x in e.before["questions"]]
            and e.after["questions"][-1]["code"] == "V99"
        ),
    ),
    # --- Stations and observers -------------------------------------------------------------
    Mutation(
        "stations create (API import)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/stations/import/",
            {"file": stations_csv(["N1", "New", "North", "Lake", 900])},
            format="multipart",
        ),
        200,
        "stations.import",
        "coordinator",
        _mission,
        lambda ctx, r, e: e.after["created"] == 1 and e.after["updated"] == 0,
    ),
    Mutation(
        "stations update (API import)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/stations/import/",
            {
                "file": stations_csv(
                    [
                        ctx.station.code,
                        "Renamed",
                        ctx.station.region.name,
                        ctx.station.district.name,
                        1200,
                    ]
                )
            },
            format="multipart",
        ),
        200,
        "stations.import",
        "coordinator",
        _mission,
        lambda ctx, r, e: e.after["created"] == 0 and e.after["updated"] == 1,
    ),
    Mutation(
        "stations create (page import, confirmed)",
        confirm_import,
        302,
        "stations.import",
        "coordinator",
        _mission,
        lambda ctx, r, e: e.after["created"] == 1 and e.after["file"] == "stations.csv",
    ),
    Mutation(
        "observers create (API import)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/observers/import/",
            {"file": observers_csv(["anna", "Anna A", "OSCE", "DE", "STO", "T9"])},
            format="multipart",
        ),
        200,
        "observers.import",
        "coordinator",
        _mission,
        lambda ctx, r, e: (
            e.after["created"] == 1 and e.after["teams_created"] == 1 and e.after["rows"] == 1
        ),
    ),
    Mutation(
        "observer update: team (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/teams/",
            {
                "action": "assign",
                "assign-team": TeamFactory(mission=ctx.mission, code="T777").pk,
                "assign-usernames": ctx.observer.user.username,
            },
        ),
        302,
        "team.assign",
        "coordinator",
        lambda ctx, r: ("missions.team", str(ctx.mission.teams.get(code="T777").pk)),
        lambda ctx, r, e: (
            e.before["teams"] == {ctx.observer.user.username: ctx.team.code}
            and e.after == {"team": "T777", "observers": [ctx.observer.user.username]}
        ),
    ),
    Mutation(
        "observer update: leaves the team (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/teams/",
            {"action": "unassign", "observer": ctx.observer.pk},
        ),
        302,
        "team.unassign",
        "coordinator",
        lambda ctx, r: ("missions.observer", str(ctx.observer.pk)),
        lambda ctx, r, e: e.before == {"team": ctx.team.code} and e.after == {"team": None},
    ),
    # --- Memberships ------------------------------------------------------------------------
    Mutation(
        "membership create (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/members/",
            {"username": "nadia", "password": GOOD_PASSWORD, "role": "ANALYST"},
            format="json",
        ),
        201,
        "membership.create",
        "coordinator",
        lambda ctx, r: ("missions.membership", str(r.json()["id"])),
        lambda ctx, r, e: (
            e.before is None
            and e.after == {"username": "nadia", "role": "ANALYST"}
            and GOOD_PASSWORD not in str(e.after)
        ),
    ),
    Mutation(
        "membership update (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/members/", {"username": "analyst", "role": "PRESS"}
        ),
        302,
        "membership.update",
        "coordinator",
        lambda ctx, r: (
            "missions.membership",
            str(Membership.objects.get(user__username="analyst", mission=ctx.mission).pk),
        ),
        lambda ctx, r, e: (
            e.before == {"username": "analyst", "role": "ANALYST"}
            and e.after == {"username": "analyst", "role": "PRESS"}
        ),
    ),
    Mutation(
        "membership delete (API)",
        lambda ctx: ctx.api("coordinator").delete(
            f"/api/v1/missions/{ctx.mission.pk}/members/{other_member(ctx).pk}/"
        ),
        204,
        "membership.delete",
        "coordinator",
        _removed,
        lambda ctx, r, e: (
            e.before == {"username": "member2", "role": "ANALYST"} and e.after is None
        ),
    ),
    Mutation(
        "membership delete (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/members/",
            {"action": "remove", "membership": other_member(ctx, "PRESS").pk},
        ),
        302,
        "membership.delete",
        "coordinator",
        _removed,
        lambda ctx, r, e: e.before == {"username": "member2", "role": "PRESS"},
    ),
    # --- Beyond the list: the other audited changes --------------------------------
    Mutation(
        "official turnout create (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/official-turnout/",
            {"at": "2022-11-20T10:00:00+06:00", "turnout_pct": 23.4},
            format="json",
        ),
        201,
        "official_turnout.create",
        "coordinator",
        lambda ctx, r: ("reports.officialturnout", str(r.json()["id"])),
        lambda ctx, r, e: e.before is None and e.after["percent"] == "23.40",
    ),
    Mutation(
        "sample draw (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/samples/", {"size": 1, "seed": 7}, format="json"
        ),
        201,
        "sample.draw",
        "coordinator",
        lambda ctx, r: ("missions.sample", str(r.json()["id"])),
        lambda ctx, r, e: e.after["size"] == 1 and e.after["seed"] == 7,
    ),
    Mutation(
        "deployment create (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/teams/",
            {
                "action": "deploy",
                "deploy-team": ctx.team.pk,
                "deploy-day": "2022-11-20",
                "deploy-stations": ctx.station.code,
            },
        ),
        302,
        "deployment.create",
        "coordinator",
        lambda ctx, r: ("missions.deployment", str(ctx.mission.deployments.get().pk)),
        lambda ctx, r, e: e.before is None and e.after is not None,
    ),
    Mutation(
        "device token issue (API)",
        lambda ctx: ctx.api("coordinator").post(f"/api/v1/observers/{ctx.observer.pk}/token/"),
        200,
        "observer.token_issue",
        "coordinator",
        lambda ctx, r: ("missions.observer", str(ctx.observer.pk)),
        lambda ctx, r, e: r.json()["token"] not in str(e.after),
    ),
    Mutation(
        "export download (API)",
        lambda ctx: ctx.api("analyst").get(f"/api/v1/missions/{ctx.mission.pk}/export/visits.csv"),
        200,
        "export.download",
        "analyst",
        _mission,
        lambda ctx, r, e: e.after == {"dataset": "visits", "format": "csv"},
    ),
    # --- Briefings --------------------------------------------------------------------------
    Mutation(
        "briefing create (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/briefings/",
            {"title": "Preliminary <findings>"},
            format="json",
        ),
        201,
        "briefing.publish",
        "coordinator",
        lambda ctx, r: ("reports.briefing", str(r.json()["id"])),
        lambda ctx, r, e: e.after["title"] == "Preliminary <findings>",
    ),
    Mutation(
        "briefing withdraw (API)",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/briefings/{ctx.briefing.pk}/withdraw/",
            {"reason": "Wrong figures"},
            format="json",
        ),
        200,
        "briefing.withdraw",
        "coordinator",
        lambda ctx, r: ("reports.briefing", str(ctx.briefing.pk)),
        lambda ctx, r, e: (
            e.reason == "Wrong figures"
            and e.before == {"withdrawn_at": None}
            and e.after["withdrawn_at"] is not None
        ),
    ),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_the_mutation_writes_its_audit_row(ctx, mutation):
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = mutation.act(ctx)

    assert response.status_code == mutation.status, getattr(response, "content", b"")[:500]
    kind, object_id = mutation.obj(ctx, response)
    rows = list(
        AuditEvent.objects.filter(
            pk__gt=last, action=mutation.action, object_type=kind, object_id=object_id
        )
    )
    written = list(AuditEvent.objects.filter(pk__gt=last).values_list("action", "object_type"))
    assert len(rows) == 1, f"{mutation.action} {kind}:{object_id} not among {written}"
    event = rows[0]
    assert event.actor == ctx.users[mutation.actor]
    assert event.mission_id == mutation.mission(ctx, response)
    assert abs(event.at - timezone.now()) < dt.timedelta(minutes=1)
    assert mutation.check(ctx, response, event), (event.before, event.after, event.reason)


def _last_coordinator(ctx):
    return Membership.objects.get(mission=ctx.mission, role="COORDINATOR")


# Requests that are refused: (name, request, expected status). None may write an audit row.
REFUSED = [
    (
        "visit create with a wrong answer",
        lambda ctx: ctx.api("observer").post(
            "/api/v1/visits/",
            visit_payload(
                station=ctx.station, checklist=ctx.checklist, answers={**VOTING_ANSWERS, "V01": 7}
            ),
            format="json",
        ),
        400,
    ),
    (
        "visit create by a coordinator",
        lambda ctx: ctx.api("coordinator").post(
            "/api/v1/visits/",
            visit_payload(station=ctx.station, checklist=ctx.checklist),
            format="json",
        ),
        403,
    ),
    (
        "visit reject without a reason",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/visits/{ctx.visit.pk}/review/", {"status": "REJECTED"}, format="json"
        ),
        400,
    ),
    (
        "visit verify by an analyst",
        lambda ctx: ctx.api("analyst").post(
            f"/api/v1/visits/{ctx.visit.pk}/review/", {"status": "VERIFIED"}, format="json"
        ),
        403,
    ),
    (
        "visit delete by its observer",
        lambda ctx: ctx.api("observer").delete(f"/api/v1/visits/{ctx.visit.pk}/"),
        403,
    ),
    (
        "visit delete by another mission's coordinator",
        lambda ctx: ctx.api("other_mission_coordinator").delete(f"/api/v1/visits/{ctx.visit.pk}/"),
        404,
    ),
    (
        "finding review with an unknown status",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/findings/{ctx.finding.pk}/review/", {"status": "MAYBE"}, format="json"
        ),
        400,
    ),
    (
        "finding dismiss by an analyst (page)",
        lambda ctx: ctx.page("analyst").post(
            f"/missions/{ctx.mission.pk}/findings/{ctx.finding.pk}/review/",
            {"status": "DISMISSED", "reason": "x"},
        ),
        403,
    ),
    (
        "checklist update by an analyst (page)",
        lambda ctx: ctx.page("analyst").post(
            f"/missions/{ctx.mission.pk}/checklists/{ctx.checklist.pk}/edit/",
            form_data(specs(ctx.checklist)),
        ),
        403,
    ),
    (
        "checklist update with a broken question (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/checklists/{ctx.checklist.pk}/edit/",
            form_data([*specs(ctx.checklist), q("V01")], initial=len(specs(ctx.checklist))),
        ),
        400,
    ),
    (
        "station import with a bad row",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/stations/import/",
            {"file": stations_csv(["N1", "New", "North", "Lake", "many"])},
            format="multipart",
        ),
        400,
    ),
    (
        "station import by an analyst",
        lambda ctx: ctx.api("analyst").post(
            f"/api/v1/missions/{ctx.mission.pk}/stations/import/",
            {"file": stations_csv(["N1", "New", "North", "Lake", 900])},
            format="multipart",
        ),
        403,
    ),
    (
        "observer import with a bad nationality",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/observers/import/",
            {"file": observers_csv(["anna", "Anna A", "OSCE", "Germany", "STO", "T9"])},
            format="multipart",
        ),
        400,
    ),
    (
        "team assign of an unknown observer (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/teams/",
            {"action": "assign", "assign-team": ctx.team.pk, "assign-usernames": "nobody"},
        ),
        400,
    ),
    (
        "membership create with a bad role",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/members/",
            {"username": "nadia", "password": GOOD_PASSWORD, "role": "EMPEROR"},
            format="json",
        ),
        400,
    ),
    (
        "membership create by an analyst",
        lambda ctx: ctx.api("analyst").post(
            f"/api/v1/missions/{ctx.mission.pk}/members/",
            {"username": "nadia", "password": GOOD_PASSWORD, "role": "ANALYST"},
            format="json",
        ),
        403,
    ),
    (
        "membership update of the last coordinator",
        lambda ctx: ctx.api("coordinator").post(
            f"/api/v1/missions/{ctx.mission.pk}/members/",
            {"username": "coordinator", "role": "ANALYST"},
            format="json",
        ),
        400,
    ),
    (
        "membership delete of the last coordinator",
        lambda ctx: ctx.api("coordinator").delete(
            f"/api/v1/missions/{ctx.mission.pk}/members/{_last_coordinator(ctx).pk}/"
        ),
        400,
    ),
    (
        "membership delete of an observer",
        lambda ctx: ctx.api("coordinator").delete(
            f"/api/v1/missions/{ctx.mission.pk}/members/"
            f"{Membership.objects.get(mission=ctx.mission, role='OBSERVER').pk}/"
        ),
        400,
    ),
    (
        "membership delete by an analyst",
        lambda ctx: ctx.api("analyst").delete(
            f"/api/v1/missions/{ctx.mission.pk}/members/{_last_coordinator(ctx).pk}/"
        ),
        403,
    ),
    (
        "membership delete by another mission's coordinator",
        lambda ctx: ctx.api("other_mission_coordinator").delete(
            f"/api/v1/missions/{ctx.mission.pk}/members/{_last_coordinator(ctx).pk}/"
        ),
        404,
    ),
    (
        # The page answers a refused removal with a redirect and an error message.
        "membership delete of the last coordinator (page)",
        lambda ctx: ctx.page("coordinator").post(
            f"/missions/{ctx.mission.pk}/members/",
            {"action": "remove", "membership": _last_coordinator(ctx).pk},
        ),
        302,
    ),
    (
        "briefing create by an analyst",
        lambda ctx: ctx.api("analyst").post(
            f"/api/v1/missions/{ctx.mission.pk}/briefings/", {}, format="json"
        ),
        403,
    ),
    (
        "briefing withdraw by the press",
        lambda ctx: ctx.api("press").post(
            f"/api/v1/briefings/{ctx.briefing.pk}/withdraw/", {}, format="json"
        ),
        403,
    ),
    (
        "mission create by an analyst, who coordinates no mission",
        lambda ctx: ctx.api("analyst").post(
            "/api/v1/missions/",
            {
                "name": "X",
                "country": "KZ",
                "election_date": "2023-03-19",
                "timezone": "Asia/Almaty",
                "polls_open": "07:00",
                "polls_close": "20:00",
            },
            format="json",
        ),
        403,
    ),
]


@pytest.mark.parametrize(("name", "act", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_request_writes_no_audit_row(ctx, name, act, status):
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = act(ctx)

    assert response.status_code == status, getattr(response, "content", b"")[:500]
    assert list(AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)) == []
