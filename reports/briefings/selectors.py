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

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.csv_export import csv_bytes
from missions.access import STAFF_ROLES, missions_for, role_in
from missions.models import MemberRole
from observation.models import FindingCategory, Severity, Stage
from reports import charts
from reports.charts import rendering
from reports.models import Briefing
from reports.statistics import wilson_interval


def request_language() -> str:
    """The active language, as one of settings.LANGUAGES (the cache key of rendered files)."""
    return translation.get_supported_language_variant(translation.get_language() or "en")


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


def count_text(value) -> str:
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
    return moment.astimezone(charts.zone_of(timezone))


def coverage_statement(key_figures: dict) -> str:
    """ "641 observers from 35 states and 10 organisations visited 1,234 of 10,101 polling
    stations in all 20 regions.\""""
    k = key_figures
    observers = ngettext("%(count)s observer", "%(count)s observers", k["observers"] or 0) % {
        "count": count_text(k["observers"])
    }
    states = ngettext("%(count)s state", "%(count)s states", k["states"] or 0) % {
        "count": count_text(k["states"])
    }
    organisations = ngettext(
        "%(count)s organisation", "%(count)s organisations", k["organisations"] or 0
    ) % {"count": count_text(k["organisations"])}
    stations = ngettext(
        "visited %(visited)s of %(total)s polling station",
        "visited %(visited)s of %(total)s polling stations",
        k["stations_total"] or 0,
    ) % {"visited": count_text(k["stations_visited"]), "total": count_text(k["stations_total"])}
    if k["regions_total"] and k["regions_visited"] == k["regions_total"]:
        regions = ngettext("in its only region", "in all %(total)s regions", k["regions_total"]) % {
            "total": count_text(k["regions_total"])
        }
    else:
        regions = ngettext(
            "in %(visited)s of %(total)s region",
            "in %(visited)s of %(total)s regions",
            k["regions_total"],
        ) % {"visited": count_text(k["regions_visited"]), "total": count_text(k["regions_total"])}
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
        stage = charts.choice_label(Stage, row["stage"])
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
                    "negative": count_text(negative),
                    "total": count_text(row["total"]),
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
        "voters": count_text(turnout["voters"]),
        "registered": count_text(turnout["registered"]),
        "stations": count_text(turnout["stations_reporting"]),
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
                "label": charts.choice_label(FindingCategory, row["category"]),
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
    return csv_bytes(rows, guarded=True, bom=True)  # the chart's rows are guarded


def stored_name(briefing: Briefing, language: str, file: str) -> str:
    """Where a briefing's rendered file is kept. Named by the briefing's id and the moment it
    was published: a database restored or rebuilt beside the same media can give a new
    briefing an old one's id, and it must never be served the old briefing's charts."""
    return f"briefings/{briefing.pk}-{briefing.published_at:%Y%m%dT%H%M%S%f}/{language}/{file}"


def storage_read(name: str) -> bytes | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def storage_write(name: str, data: bytes) -> str:
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
    storage_name = stored_name(briefing, language, f"{name}.{fmt}")
    cached = storage_read(storage_name)
    if cached is not None:
        return cached
    rendering.chromium_path()  # ChromiumUnavailable before drawing anything
    with translation.override(language):
        figure = briefing_figure(briefing=briefing, name=name)
    data = rendering.figure_render(figure=figure, fmt=fmt)
    storage_write(storage_name, data)
    return data


def briefing_file_name(*, briefing: Briefing, name: str, fmt: str) -> str:
    return f"briefing-{briefing.pk}-{name.replace('_', '-')}.{fmt}"
