"""Briefings for the press: publishing a frozen snapshot, who may read it, and its files.

A briefing freezes, at publication, the key figures and the arguments of every chart (the
aggregate rows it is drawn from) as JSON, beside the mission's key messages (``summary`` in
Markdown, ``summary_i18n``). Pages, the API, the chart files and the briefing pack all draw
from that snapshot with the dashboard's own figure functions (``reports.charts``), so the PNG
the press downloads is the chart the coordinator saw, and later reports change nothing. What
the briefing says in words is ``reports.briefings.content``; its charts dressed for print,
slides, the web and social media ``reports.briefings.figures``; its PDFs ``.packs``.

Only aggregate rows (national and per region) go into a snapshot: no observer names, no
station, no finding's description.

Who sees what (``briefings_visible``): coordinators and analysts of a mission see all of its
briefings, withdrawn ones included; press members of a mission see its briefings that are not
withdrawn and whose embargo has passed; anyone, logged in or not, sees a ``public`` briefing
that is not withdrawn and whose embargo has passed. Everything else is a 404.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404
from django.utils import translation

from common.csv_export import csv_bytes
from missions.access import STAFF_ROLES, missions_for, role_in
from missions.models import MemberRole
from reports import charts
from reports.briefings.content import briefing_content  # noqa: F401 (pages, API, pack)
from reports.briefings.figures import briefing_spec, press_figure
from reports.charts import rendering
from reports.charts.style import DEFAULT_SIZE, SIZES
from reports.models import Briefing


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


def briefing_chart_spec(*, briefing: Briefing, name: str) -> dict:
    """The chart as the plain dict plotly.js draws (no title: the page heads it), for pages."""
    chart = _chart(briefing=briefing, name=name)
    return briefing_spec(name=name, arguments=chart["arguments"], snapshot=briefing.snapshot)


def briefing_chart_csv(*, briefing: Briefing, name: str, bom: bool = True) -> bytes:
    """The chart's data as CSV (UTF-8 with a byte order mark unless ``bom`` is False, so
    spreadsheets read it)."""
    chart = _chart(briefing=briefing, name=name)
    rows = charts.CHARTS[name].csv(**chart["arguments"])
    return csv_bytes(rows, guarded=True, bom=bom)  # the chart's rows are guarded


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


def briefing_chart_file(
    *, briefing: Briefing, name: str, fmt: str, language: str, size: str = DEFAULT_SIZE
) -> bytes:
    """The chart as PNG, SVG or PDF at ``size`` (``reports.charts.style.SIZES``), with its
    title, subtitle and source line: rendered once per briefing, language and size, then cached.

    Raises ChromiumUnavailable (answer 503) when no browser can render it.
    """
    if fmt not in rendering.FORMATS or size not in SIZES:
        raise Http404
    chart = _chart(briefing=briefing, name=name)  # 404 first for an unknown chart
    storage_name = stored_name(briefing, language, f"{name}-{size}.{fmt}")
    cached = storage_read(storage_name)
    if cached is not None:
        return cached
    rendering.chromium_path()  # ChromiumUnavailable before drawing anything
    with translation.override(language):
        figure = press_figure(
            name=name,
            arguments=chart["arguments"],
            snapshot=briefing.snapshot,
            size=size,
            title=chart["title"],
        )
    scale = SIZES[size].png_scale if fmt == "png" else 1
    data = rendering.figure_render(figure=go.Figure(figure), fmt=fmt, scale=scale)
    storage_write(storage_name, data)
    return data


def briefing_file_name(*, briefing: Briefing, name: str, fmt: str) -> str:
    return f"briefing-{briefing.pk}-{name.replace('_', '-')}.{fmt}"
