"""Briefings written: the frozen snapshot, publishing, withdrawing, asking for a pack.

A briefing freezes, at publication, the key figures and the arguments of every chart (the
aggregate rows it is drawn from) as JSON; later reports change nothing. Only aggregate rows
(national and per region) go into a snapshot: no observer names, no station, no finding's
description.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count
from django.utils import formats
from django.utils.translation import gettext as _

from missions.audit import audit_record
from missions.models import Area, Observer, PollingStation
from reports import charts
from reports.aggregates import selectors
from reports.briefings.tasks import build_briefing_pack
from reports.models import Briefing, BriefingPack, BriefingPackStatus

# --- the snapshot ---------------------------------------------------------------------------

SNAPSHOT_VERSION = 1
# The dashboard's charts a briefing carries, in the order the briefing shows them. The
# station map is left out: a briefing shows no station.
BRIEFING_CHARTS = (
    "turnout_day",
    "turnout_by_area",
    "coverage_by_area",
    "assessments",
    "findings_by_category",
    "findings_heatmap",
)
NATIONAL = "ALL"
# A pack build that has not finished after this long is taken as lost (a killed worker) and
# may be queued again.
PACK_STALE_AFTER = dt.timedelta(minutes=10)


def _plain(value):
    """JSON-ready: datetimes become ISO 8601 strings, exactly as they are stored."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def briefing_snapshot(*, mission) -> dict:
    """Everything a briefing shows, read from the mission's current aggregates, as JSON."""
    timezone = mission.timezone
    turnout_national = selectors.turnout_rows(mission=mission, level="national")
    turnout_regions = selectors.turnout_rows(mission=mission, level="region")
    # The commission's national figures; ``bucket_end`` repeats ``at`` for the chart's x axis.
    official = [
        {**r, "bucket_end": r["at"]}
        for r in selectors.official_turnout_rows(mission=mission)
        if r["area_code"] == NATIONAL
    ]
    assessments = selectors.assessment_rows(mission=mission, level="national")
    coverage_national = selectors.coverage_rows(mission=mission, level="national")
    coverage_regions = selectors.coverage_rows(mission=mission, level="region")
    findings_national = selectors.finding_rows(mission=mission, level="national")
    findings_regions = selectors.finding_rows(mission=mission, level="region")

    # Observers deployed (in a team), as the dashboard counts them.
    people = Observer.objects.filter(mission=mission, team__isnull=False).aggregate(
        observers=Count("id"),
        states=Count("nationality", distinct=True),
        organisations=Count("organisation", distinct=True),
    )
    national = coverage_national[0] if coverage_national else {}
    stations_total = national.get("stations_total")
    if stations_total is None:
        stations_total = PollingStation.objects.filter(mission=mission).count()
    regions_total = Area.objects.filter(mission=mission, depth=1).count()
    key_figures = {
        **people,
        "stations_total": stations_total,
        "stations_visited": national.get("stations_visited", 0),
        "visits": national.get("visits", 0),
        "regions_total": regions_total,
        "regions_visited": sum(1 for r in coverage_regions if r["stations_visited"]),
    }

    latest = max(turnout_national, key=lambda r: r["bucket_end"]) if turnout_national else None
    turnout = None
    if latest is not None:
        same_hour = [r for r in official if r["at"] == latest["bucket_end"]]
        announced = same_hour[-1] if same_hour else (official[-1] if official else None)
        turnout = {
            "bucket_end": latest["bucket_end"],
            "turnout_pct": latest["turnout_pct"],
            "stations_reporting": latest["stations_reporting"],
            "voters": latest["voters"],
            "registered": latest["registered"],
            "official_at": announced["at"] if announced else None,
            "official_pct": announced["turnout_pct"] if announced else None,
        }

    arguments = {
        "turnout_day": {
            "national_rows": turnout_national,
            "official_rows": official,
            "timezone": timezone,
        },
        "turnout_by_area": {"rows": turnout_regions, "timezone": timezone},
        "coverage_by_area": {"rows": coverage_regions},
        "assessments": {"rows": assessments, "by": "stage"},
        "findings_by_category": {"rows": findings_national},
        "findings_heatmap": {"rows": findings_regions},
    }
    as_of = selectors.aggregates_as_of(mission=mission)
    return _plain(
        {
            "version": SNAPSHOT_VERSION,
            "mission": {
                "name": mission.name,
                "country": mission.country,
                "election_date": mission.election_date,
                "timezone": timezone,
            },
            "as_of": as_of,
            "key_figures": key_figures,
            "assessments": assessments,
            "turnout": turnout,
            "findings": findings_national,
            "charts": [
                {"name": name, "arguments": arguments[name]}
                for name in BRIEFING_CHARTS
                if name in charts.CHARTS
            ],
        }
    )


# --- publishing and withdrawing -------------------------------------------------------------


def briefing_publish(
    *,
    mission,
    user,
    now: dt.datetime,
    title: str = "",
    summary: str = "",
    summary_i18n: dict | None = None,
    embargo_until: dt.datetime | None = None,
    public: bool = False,
) -> Briefing:
    """Freeze the mission's current aggregates into a published briefing (audited), with the
    mission's key messages (``summary``, Markdown) and their translations."""
    snapshot = briefing_snapshot(mission=mission)
    if not title:
        title = _("Preliminary findings, %(date)s") % {
            "date": formats.date_format(now.astimezone(mission.tzinfo).date(), "DATE_FORMAT")
        }
    briefing = Briefing(
        mission=mission,
        title=title,
        summary=summary,
        summary_i18n=summary_i18n or {},
        created_by=user,
        published_at=now,
        embargo_until=embargo_until,
        public=public,
        aggregates_as_of=snapshot["as_of"],
        snapshot=snapshot,
    )
    briefing.full_clean()
    with transaction.atomic():
        briefing.save()
        audit_record(
            actor=user,
            mission=mission,
            action="briefing.publish",
            obj=briefing,
            after={
                "title": title,
                "summary": summary,
                "summary_i18n": summary_i18n or {},
                "embargo_until": _plain(embargo_until),
                "public": public,
                "aggregates_as_of": snapshot["as_of"],
            },
            at=now,
        )
    return briefing


def briefing_withdraw(*, briefing: Briefing, user, now: dt.datetime, reason: str = "") -> Briefing:
    """Withdraw a briefing: it vanishes for the press and the public (audited). Idempotent."""
    if briefing.withdrawn_at is not None:
        return briefing
    with transaction.atomic():
        briefing.withdrawn_at = now
        briefing.withdrawn_by = user
        briefing.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            actor=user,
            mission=briefing.mission,
            action="briefing.withdraw",
            obj=briefing,
            before={"withdrawn_at": None},
            after={"withdrawn_at": _plain(now)},
            reason=reason,
            at=now,
        )
    return briefing


def briefing_pack_request(*, briefing: Briefing, language: str, now: dt.datetime) -> BriefingPack:
    """The pack of this briefing in this language, queued for building if it is not there.

    Idempotent: a pack that is ready, or being built, is left alone; a failed one, or one whose
    build has been silent for too long (a killed worker), is queued again.
    """
    pack, created = BriefingPack.objects.get_or_create(
        briefing=briefing, language=language, defaults={"requested_at": now}
    )
    stale = pack.status in (BriefingPackStatus.QUEUED, BriefingPackStatus.BUILDING) and (
        pack.requested_at < now - PACK_STALE_AFTER
    )
    lost = pack.status == BriefingPackStatus.READY and not (
        pack.file_name and default_storage.exists(pack.file_name)
    )
    if created or pack.status == BriefingPackStatus.FAILED or stale or lost:
        if not created:
            pack.status = BriefingPackStatus.QUEUED
            pack.done = 0
            pack.error = ""
            pack.requested_at = now
            pack.save(update_fields=["status", "done", "error", "requested_at"])
        build_briefing_pack.delay_on_commit(pack_id=pack.pk)
    return pack
