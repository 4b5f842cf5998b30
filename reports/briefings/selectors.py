"""Briefings for the press: publishing a frozen snapshot, who may read it, and its files.

A briefing freezes, at publication, the key figures and the arguments of every chart (the
aggregate rows it is drawn from) as JSON. Pages, the API, the chart files and the briefing pack
all draw from that snapshot with the dashboard's own figure functions (``reports.charts``), so
the PNG the press downloads is the chart the coordinator saw, and later reports change nothing.

Only aggregate rows (national and per region) go into a snapshot: no observer names, no
station, no finding's description.

Who sees what (``briefings_visible``): coordinators and analysts of a mission see all of its
briefings, withdrawn ones included; press members of a mission see its briefings that are not
withdrawn and whose embargo has passed; anyone, logged in or not, sees a ``public`` briefing
that is not withdrawn and whose embargo has passed. Everything else is a 404.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import textwrap
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from missions.access import STAFF_ROLES, missions_for, role_in
from missions.audit import audit_record
from missions.models import Area, MemberRole, Observer, PollingStation
from observation.models import FindingCategory, Severity, Stage
from reports import charts
from reports.aggregates import selectors
from reports.charts import rendering
from reports.models import Briefing, BriefingPack, BriefingPackStatus
from reports.statistics import wilson_interval

logger = logging.getLogger(__name__)

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
PACK_PAGE_WIDTH = 1123  # A4 landscape at 96 px per inch
PACK_PAGE_HEIGHT = 794


# --- the snapshot ---------------------------------------------------------------------------


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
    embargo_until: dt.datetime | None = None,
    public: bool = False,
) -> Briefing:
    """Freeze the mission's current aggregates into a published briefing (audited)."""
    snapshot = briefing_snapshot(mission=mission)
    if not title:
        title = _("Preliminary findings, %(date)s") % {
            "date": formats.date_format(now.astimezone(mission.tzinfo).date(), "DATE_FORMAT")
        }
    briefing = Briefing(
        mission=mission,
        title=title,
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


# --- who sees what --------------------------------------------------------------------------


def briefings_visible(*, user, now: dt.datetime, mission=None):
    """The briefings ``user`` (possibly anonymous) may read, newest first."""
    released = Q(withdrawn_at__isnull=True) & (
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=now)
    )
    visible = released & Q(public=True)
    if user.is_authenticated:
        if user.is_superuser:
            visible = Q()
        else:
            visible |= Q(mission__in=missions_for(user=user, roles=STAFF_ROLES))
            visible |= released & Q(mission__in=missions_for(user=user, roles=(MemberRole.PRESS,)))
    briefings = Briefing.objects.filter(visible)
    if mission is not None:
        briefings = briefings.filter(mission=mission)
    return briefings.select_related("mission").order_by("-published_at", "-id")


def briefing_get(*, user, briefing_id, now: dt.datetime) -> Briefing:
    """The briefing if ``user`` may read it, else Http404."""
    try:
        briefing_id = int(briefing_id)
    except (TypeError, ValueError):
        raise Http404 from None
    briefing = briefings_visible(user=user, now=now).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404
    return briefing


def briefing_is_staff(*, user, briefing: Briefing) -> bool:
    """Coordinators and analysts of the briefing's mission: they see all of its briefings."""
    return role_in(user=user, mission_id=briefing.mission_id) in STAFF_ROLES


def briefing_may_withdraw(*, user, briefing: Briefing) -> bool:
    return role_in(user=user, mission_id=briefing.mission_id) == MemberRole.COORDINATOR


# --- what the briefing says -----------------------------------------------------------------


def _count(value) -> str:
    return formats.number_format(value or 0, force_grouping=True)


def _share(value) -> str:
    """A percentage to one decimal, rounded half up from the value given."""
    if value is None:
        return "–"
    return formats.number_format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _moment(value, timezone: str) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(charts._zone(timezone))


def coverage_statement(key_figures: dict) -> str:
    """ "641 observers from 35 states and 10 organisations visited 1,234 of 10,101 polling
    stations in all 20 regions.\""""
    k = key_figures
    observers = ngettext("%(count)s observer", "%(count)s observers", k["observers"] or 0) % {
        "count": _count(k["observers"])
    }
    states = ngettext("%(count)s state", "%(count)s states", k["states"] or 0) % {
        "count": _count(k["states"])
    }
    organisations = ngettext(
        "%(count)s organisation", "%(count)s organisations", k["organisations"] or 0
    ) % {"count": _count(k["organisations"])}
    stations = ngettext(
        "visited %(visited)s of %(total)s polling station",
        "visited %(visited)s of %(total)s polling stations",
        k["stations_total"] or 0,
    ) % {"visited": _count(k["stations_visited"]), "total": _count(k["stations_total"])}
    if k["regions_total"] and k["regions_visited"] == k["regions_total"]:
        regions = ngettext("in its only region", "in all %(total)s regions", k["regions_total"]) % {
            "total": _count(k["regions_total"])
        }
    else:
        regions = ngettext(
            "in %(visited)s of %(total)s region",
            "in %(visited)s of %(total)s regions",
            k["regions_total"],
        ) % {"visited": _count(k["regions_visited"]), "total": _count(k["regions_total"])}
    return _("%(observers)s from %(states)s and %(organisations)s %(stations)s %(regions)s.") % {
        "observers": observers,
        "states": states,
        "organisations": organisations,
        "stations": stations,
        "regions": regions,
    }


def assessment_statements(rows: list[dict]) -> list[dict]:
    """Per stage, the share of observed stations where it was assessed bad or very bad."""
    order = {stage: index for index, stage in enumerate(Stage.values)}
    out = []
    for row in sorted(rows, key=lambda r: order.get(r["stage"], 99)):
        if not row.get("total"):
            continue
        negative = row["bad"] + row["very_bad"]
        stage = charts._label(Stage, row["stage"])
        # The sentence rounds once, from the counts: the rows' two-decimal figures rounded
        # again could be off by a tenth (9.45 from 9.4531 would give 9.4 or 9.5).
        low, high = wilson_interval(negative, row["total"])
        out.append(
            {
                "stage": row["stage"],
                "label": stage,
                "negative": negative,
                "total": row["total"],
                "negative_pct": row["negative_pct"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "statement": _(
                    "%(stage)s was assessed as bad or very bad in %(share)s%% of the polling "
                    "stations observed (95%% interval %(low)s–%(high)s%%; %(negative)s of "
                    "%(total)s)."
                )
                % {
                    "stage": stage,
                    "share": _share(100 * negative / row["total"]),
                    "low": _share(100 * low),
                    "high": _share(100 * high),
                    "negative": _count(negative),
                    "total": _count(row["total"]),
                },
            }
        )
    return out


def turnout_statement(turnout: dict | None, timezone: str) -> str:
    if not turnout:
        return _("No turnout figures had been reported when this briefing was published.")
    hour = _moment(turnout["bucket_end"], timezone).strftime("%H:%M")
    text = ngettext(
        "Observed turnout at %(hour)s: %(share)s%% (%(voters)s of %(registered)s registered "
        "voters at the %(stations)s polling station observers reported from in that hour).",
        "Observed turnout at %(hour)s: %(share)s%% (%(voters)s of %(registered)s registered "
        "voters at the %(stations)s polling stations observers reported from in that hour).",
        turnout["stations_reporting"],
    ) % {
        "hour": hour,
        "share": _share(
            100 * turnout["voters"] / turnout["registered"]
            if turnout["registered"]
            else turnout["turnout_pct"]
        ),
        "voters": _count(turnout["voters"]),
        "registered": _count(turnout["registered"]),
        "stations": _count(turnout["stations_reporting"]),
    }
    if turnout.get("official_pct") is not None:
        official_hour = _moment(turnout["official_at"], timezone).strftime("%H:%M")
        text += " " + _("The election commission announced %(share)s%% at %(hour)s.") % {
            "share": _share(turnout["official_pct"]),
            "hour": official_hour,
        }
    return text


def findings_table(rows: list[dict]) -> list[dict]:
    """Findings per category (all areas), by severity, most frequent first."""
    per_category: dict[str, dict] = {}
    for row in rows:
        entry = per_category.setdefault(
            row["category"],
            {
                "category": row["category"],
                "label": charts._label(FindingCategory, row["category"]),
                **{severity.lower(): 0 for severity in Severity.values},
                "total": 0,
            },
        )
        key = row["severity"].lower()
        entry[key] = entry.get(key, 0) + row["count"]
        entry["total"] += row["count"]
    order = {category: index for index, category in enumerate(FindingCategory.values)}
    return sorted(per_category.values(), key=lambda e: (-e["total"], order.get(e["category"], 99)))


def briefing_content(*, briefing: Briefing) -> dict:
    """The key figures, in numbers and in the sentences a mission's statement uses."""
    snapshot = briefing.snapshot
    timezone = snapshot["mission"]["timezone"]
    as_of = _moment(snapshot.get("as_of"), timezone)
    return {
        "key_figures": {
            **snapshot["key_figures"],
            "statement": coverage_statement(snapshot["key_figures"]),
        },
        "assessments": assessment_statements(snapshot["assessments"]),
        "turnout": {
            **(snapshot["turnout"] or {}),
            "statement": turnout_statement(snapshot["turnout"], timezone),
        },
        "findings": findings_table(snapshot["findings"]),
        "as_of": as_of,
        "as_of_text": (
            formats.date_format(as_of, "DATETIME_FORMAT") + f" ({timezone})" if as_of else ""
        ),
    }


# --- charts and their files -----------------------------------------------------------------


def briefing_charts(*, briefing: Briefing) -> list[dict]:
    """The briefing's charts: ``{"name", "title", "arguments"}``, in order."""
    return [
        {
            "name": c["name"],
            "title": str(charts.CHARTS[c["name"]].title),
            "arguments": c["arguments"],
        }
        for c in briefing.snapshot["charts"]
        if c["name"] in charts.CHARTS
    ]


def _chart(*, briefing: Briefing, name: str) -> dict:
    for chart in briefing_charts(briefing=briefing):
        if chart["name"] == name:
            return chart
    raise Http404


def briefing_figure(*, briefing: Briefing, name: str, with_title: bool = True):
    """The chart as a Plotly figure, drawn by the dashboard's function from the frozen rows."""
    chart = _chart(briefing=briefing, name=name)
    title = chart["title"] if with_title else None
    return charts.CHARTS[name].figure(**chart["arguments"], title=title)


def briefing_chart_spec(*, briefing: Briefing, name: str) -> dict:
    """The chart as the plain dict plotly.js draws (no title: the page heads it), for pages."""
    chart = _chart(briefing=briefing, name=name)
    return charts.CHARTS[name].spec(**chart["arguments"], title=None)


def briefing_chart_csv(*, briefing: Briefing, name: str) -> bytes:
    """The chart's data as CSV (UTF-8 with a byte order mark, so spreadsheets read it)."""
    chart = _chart(briefing=briefing, name=name)
    rows = charts.CHARTS[name].csv(**chart["arguments"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _storage_name(briefing: Briefing, language: str, file: str) -> str:
    """Where a briefing's rendered file is kept. Named by the briefing's id and the moment it
    was published: a database restored or rebuilt beside the same media can give a new
    briefing an old one's id, and it must never be served the old briefing's charts."""
    return f"briefings/{briefing.pk}-{briefing.published_at:%Y%m%dT%H%M%S%f}/{language}/{file}"


def _storage_read(name: str) -> bytes | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _storage_write(name: str, data: bytes) -> str:
    """Store ``data`` under ``name``; a concurrent writer that got there first wins."""
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # lost a race: keep the first file, drop ours
        default_storage.delete(saved)
    return name


def briefing_chart_file(*, briefing: Briefing, name: str, fmt: str, language: str) -> bytes:
    """The chart as PNG, SVG or PDF: rendered once per briefing and language, then cached.

    Raises ChromiumUnavailable (answer 503) when no browser can render it.
    """
    if fmt not in rendering.FORMATS:
        raise Http404
    _chart(briefing=briefing, name=name)  # 404 before anything else for an unknown chart
    storage_name = _storage_name(briefing, language, f"{name}.{fmt}")
    cached = _storage_read(storage_name)
    if cached is not None:
        return cached
    rendering.chromium_path()  # ChromiumUnavailable before drawing anything
    with translation.override(language):
        figure = briefing_figure(briefing=briefing, name=name)
    data = rendering.figure_render(figure=figure, fmt=fmt)
    _storage_write(storage_name, data)
    return data


def briefing_file_name(*, briefing: Briefing, name: str, fmt: str) -> str:
    return f"briefing-{briefing.pk}-{name.replace('_', '-')}.{fmt}"


# --- the briefing pack ----------------------------------------------------------------------


def _wrap(text: str, width: int = 110) -> list[str]:
    return textwrap.wrap(text, width=width) or [""]


def pack_title_figure(*, briefing: Briefing):
    """The pack's title page: mission, election, time of the snapshot, key figures."""
    snapshot = briefing.snapshot
    mission = snapshot["mission"]
    content = briefing_content(briefing=briefing)
    election = dt.date.fromisoformat(mission["election_date"])
    lines = _wrap(content["key_figures"]["statement"])
    for row in content["assessments"]:
        lines += _wrap(row["statement"])
    lines += _wrap(content["turnout"]["statement"])
    findings = content["findings"]
    table = [
        [row["label"] for row in findings],
        [_count(row["critical"]) for row in findings],
        [_count(row["serious"]) for row in findings],
        [_count(row["minor"]) for row in findings],
        [_count(row["total"]) for row in findings],
    ]
    return charts.briefing_title_figure(
        heading=mission["name"],
        subheading=_("Election of %(date)s · %(country)s")
        % {"date": formats.date_format(election, "DATE_FORMAT"), "country": mission["country"]},
        title=briefing.title,
        snapshot=_("Observers' reports as of %(time)s · published %(published)s")
        % {
            "time": content["as_of_text"] or _("(no reports yet)"),
            "published": formats.date_format(
                briefing.published_at.astimezone(charts._zone(mission["timezone"])),
                "DATETIME_FORMAT",
            ),
        },
        statements=lines,
        table_header=[
            _("Findings by category"),
            str(Severity.CRITICAL.label),
            str(Severity.SERIOUS.label),
            str(Severity.MINOR.label),
            _("Total"),
        ],
        table_columns=table if findings else [],
        width=PACK_PAGE_WIDTH,
        height=PACK_PAGE_HEIGHT,
    )


def pack_chart_caption(*, briefing: Briefing, number: int, title: str, as_of_text: str) -> str:
    return _(
        "Figure %(number)s. %(title)s. Source: %(mission)s, observers' reports as of %(time)s."
    ) % {
        "number": number,
        "title": title,
        "mission": briefing.snapshot["mission"]["name"],
        "time": as_of_text or _("(no reports yet)"),
    }


def pack_pages(*, briefing: Briefing) -> list:
    """The pack's pages as figures: the title page, then every chart with its caption."""
    pages = [pack_title_figure(briefing=briefing)]
    as_of_text = briefing_content(briefing=briefing)["as_of_text"]
    for number, chart in enumerate(briefing_charts(briefing=briefing), start=1):
        figure = briefing_figure(briefing=briefing, name=chart["name"])
        caption = pack_chart_caption(
            briefing=briefing, number=number, title=chart["title"], as_of_text=as_of_text
        )
        pages.append(
            charts.captioned_figure(
                figure=figure, caption=caption, width=PACK_PAGE_WIDTH, min_height=PACK_PAGE_HEIGHT
            )
        )
    return pages


def briefing_pack_request(*, briefing: Briefing, language: str, now: dt.datetime) -> BriefingPack:
    """The pack of this briefing in this language, queued for building if it is not there.

    Idempotent: a pack that is ready, or being built, is left alone; a failed one, or one whose
    build has been silent for too long (a killed worker), is queued again.
    """
    from reports.aggregates.tasks import build_briefing_pack

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


def _pack_progress(pack: BriefingPack, **fields) -> None:
    for key, value in fields.items():
        setattr(pack, key, value)
    pack.save(update_fields=list(fields))


def briefing_pack_build(*, pack_id: int, now) -> None:
    """Render every page of the pack, join them into one PDF and store it (the Celery task).

    Writes its progress after every page. Idempotent: a pack already built is left as it is.
    ``now`` is a callable, so that start and end times are the real ones.
    """
    from pypdf import PdfReader, PdfWriter

    pack = BriefingPack.objects.select_related("briefing__mission").filter(pk=pack_id).first()
    if pack is None or pack.status == BriefingPackStatus.READY:
        return
    briefing = pack.briefing
    with translation.override(pack.language):
        _pack_progress(pack, status=BriefingPackStatus.BUILDING, done=0, started_at=now())
        writer = PdfWriter()
        try:
            pages = pack_pages(briefing=briefing)
            _pack_progress(pack, total=len(pages))
            for number, page in enumerate(pages, start=1):
                pdf = rendering.figure_render(figure=page, fmt="pdf")
                writer.append(PdfReader(io.BytesIO(pdf)))
                _pack_progress(pack, done=number)
        except rendering.ChromiumUnavailable as exc:
            logger.warning("Briefing pack %s: %s", pack_id, exc)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=rendering.INSTALL_HINT,
                finished_at=now(),
            )
            return
        except Exception as exc:
            logger.exception("Briefing pack %s could not be built", pack_id)
            _pack_progress(
                pack,
                status=BriefingPackStatus.FAILED,
                error=_("The pack could not be built; try again in a minute."),
                finished_at=now(),
            )
            if isinstance(exc, rendering.RenderFailed):
                return  # a browser hiccup: the next request queues the build again
            raise
        writer.add_metadata(
            {
                "/Title": f"{briefing.snapshot['mission']['name']}: {briefing.title}",
                "/Producer": "Observatory",
            }
        )
        buffer = io.BytesIO()
        writer.write(buffer)
    name = _storage_write(_storage_name(briefing, pack.language, "pack.pdf"), buffer.getvalue())
    _pack_progress(pack, status=BriefingPackStatus.READY, file_name=name, finished_at=now())


def briefing_pack_file(*, pack: BriefingPack) -> bytes | None:
    if pack.status != BriefingPackStatus.READY or not pack.file_name:
        return None
    return _storage_read(pack.file_name)


def briefing_pack_get(*, briefing: Briefing, language: str) -> BriefingPack | None:
    return BriefingPack.objects.filter(briefing=briefing, language=language).first()
