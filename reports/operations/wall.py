"""What the wall display shows: the panels it rotates through, as JSON.

Coverage, turnout against the official figures, assessments (the dashboard's own charts,
unfiltered, in large type), the newest critical incidents and every stage's reporting status.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from common.clock import clock_text
from missions.report_due import REPORT_STAGES
from observation.models import Severity, Stage
from reports import charts
from reports.dashboard import selectors as dashboard

from . import selectors

WALL_FONT = 22
WALL_INCIDENTS = 8


def _large(figure: dict) -> dict:
    """The dashboard's figure in the wall's type size, on the wall's dark background."""
    layout = figure["layout"]
    layout["font"] = {"size": WALL_FONT, "color": "#f4f6fa"}
    layout["paper_bgcolor"] = "rgba(0,0,0,0)"
    layout["plot_bgcolor"] = "rgba(0,0,0,0)"
    layout.pop("height", None)
    layout["autosize"] = True
    layout["margin"] = {"l": 20, "r": 20, "t": 30, "b": 20}
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {
            **layout.get(axis, {}),
            "gridcolor": "rgba(255,255,255,0.12)",
            "zerolinecolor": "rgba(255,255,255,0.3)",
        }
    return figure


def wall_panels(*, mission, now: dt.datetime) -> dict:
    areas = dashboard.mission_areas(mission=mission)
    data = dashboard.dashboard_data(
        mission=mission, filters=dashboard.DashboardFilters(), areas=areas
    )
    figures = {
        name: _large(charts.CHARTS[name].spec(**data.charts[name]))
        for name in ("coverage_by_area", "turnout_day", "assessments")
    }
    critical = selectors.incidents_load(
        selectors.incidents(mission=mission, severity=Severity.CRITICAL)[:WALL_INCIDENTS]
    )
    stages = dict(Stage.choices)
    reporting = []
    for stage in REPORT_STAGES[:4]:
        report = selectors.reporting_status(
            mission=mission, stage=stage, now=now, with_contacts=False
        )
        reporting.append(
            {
                "stage": stage,
                "label": str(stages[stage]),
                "due_at": clock_text(report.due_at, mission),
                "counts": report.counts,
            }
        )
    k = data.key_figures
    return {
        "as_of": data.as_of.isoformat() if data.as_of else None,
        "key_figures": {
            "visits": k["visits"],
            "stations_visited": k["stations_visited"],
            "stations_total": k["stations_total"],
            "findings_total": k["findings_total"],
        },
        "panels": [
            {
                "name": "coverage",
                "title": _("Coverage by region"),
                "figure": figures["coverage_by_area"],
            },
            {
                "name": "turnout",
                "title": _("Turnout against the official figures"),
                "figure": figures["turnout_day"],
            },
            {
                "name": "assessments",
                "title": _("Assessments per stage"),
                "figure": figures["assessments"],
            },
            {
                "name": "incidents",
                "title": _("Newest critical incidents"),
                # Plain text: the page sets it with textContent, never as HTML.
                "incidents": [
                    {
                        "id": f.pk,
                        "at": clock_text(f.created_at, mission),
                        "station": f.visit.station.code,
                        "region": f.visit.station.region.name,
                        "category": f.get_category_display(),
                        "description": f.description[:200],
                        "triage": f.triage_status,
                    }
                    for f in critical
                ],
            },
            {"name": "reporting", "title": _("Reporting status"), "stages": reporting},
        ],
    }
