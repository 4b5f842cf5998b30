"""Figures are pure: plain selector rows in, a ``plotly.graph_objects.Figure`` out.

One module per family. The dashboard's: ``turnout`` (through the day, by area), ``dashboard``
(coverage, assessments, findings) and ``maps`` (the coverage map); ``statistics`` (estimates,
quick count, forensic views). ``base`` holds the palette, escaping, the figures as published
and the ``Chart`` record; ``style`` lays a chart out for print, slides, the web and social
media (margins from the labels, title, source line, fonts); ``rendering`` turns a figure into
PNG, SVG or PDF with Chromium, ``printing`` an HTML page into a PDF. See
``reports.charts.base`` for the ``<name>_spec`` / ``<name>_figure`` / ``<name>_csv`` contract.

``CHARTS`` maps each dashboard chart's name to its ``Chart``. The chart functions are imported
here too, so callers write ``charts.<name>_figure``.
"""

from django.utils.translation import gettext_lazy

from reports.charts.base import (
    Chart,
    choice_label,
    csv_cell,
    esc,
    figure_json,
    zone_of,
)
from reports.charts.dashboard import (
    assessments_csv,
    assessments_figure,
    assessments_spec,
    coverage_by_area_csv,
    coverage_by_area_figure,
    coverage_by_area_spec,
    findings_by_category_csv,
    findings_by_category_figure,
    findings_by_category_spec,
    findings_heatmap_csv,
    findings_heatmap_figure,
    findings_heatmap_spec,
)
from reports.charts.maps import (
    regions_map_csv,
    regions_map_figure,
    regions_map_spec,
)
from reports.charts.statistics import (
    election_fingerprint_figure,
    election_fingerprint_spec,
    quick_count_convergence_csv,
    quick_count_convergence_figure,
    quick_count_convergence_spec,
    quick_count_csv,
    quick_count_figure,
    quick_count_spec,
    turnout_distribution_figure,
    turnout_distribution_spec,
    turnout_estimate_csv,
    turnout_estimate_figure,
    turnout_estimate_spec,
)
from reports.charts.turnout import (
    turnout_buckets,
    turnout_by_area_csv,
    turnout_by_area_figure,
    turnout_by_area_spec,
    turnout_day_csv,
    turnout_day_figure,
    turnout_day_spec,
)

CHARTS: dict[str, Chart] = {
    chart.name: chart
    for chart in (
        Chart(
            "turnout_day",
            gettext_lazy("Turnout through the day"),
            turnout_day_spec,
            turnout_day_figure,
            turnout_day_csv,
        ),
        Chart(
            "turnout_by_area",
            gettext_lazy("Turnout by area"),
            turnout_by_area_spec,
            turnout_by_area_figure,
            turnout_by_area_csv,
        ),
        Chart(
            "coverage_by_area",
            gettext_lazy("Coverage by area"),
            coverage_by_area_spec,
            coverage_by_area_figure,
            coverage_by_area_csv,
        ),
        Chart(
            "assessments",
            gettext_lazy("Assessment of the process"),
            assessments_spec,
            assessments_figure,
            assessments_csv,
        ),
        Chart(
            "findings_by_category",
            gettext_lazy("Findings by category and severity"),
            findings_by_category_spec,
            findings_by_category_figure,
            findings_by_category_csv,
        ),
        Chart(
            "findings_heatmap",
            gettext_lazy("Findings by area and category"),
            findings_heatmap_spec,
            findings_heatmap_figure,
            findings_heatmap_csv,
        ),
        Chart(
            "regions_map",
            gettext_lazy("Map"),
            regions_map_spec,
            regions_map_figure,
            regions_map_csv,
        ),
    )
}

__all__ = [
    "turnout_buckets",
    "CHARTS",
    "Chart",
    "assessments_csv",
    "assessments_figure",
    "assessments_spec",
    "choice_label",
    "coverage_by_area_csv",
    "coverage_by_area_figure",
    "coverage_by_area_spec",
    "csv_cell",
    "election_fingerprint_figure",
    "election_fingerprint_spec",
    "esc",
    "figure_json",
    "findings_by_category_csv",
    "findings_by_category_figure",
    "findings_by_category_spec",
    "findings_heatmap_csv",
    "findings_heatmap_figure",
    "findings_heatmap_spec",
    "quick_count_convergence_csv",
    "quick_count_convergence_figure",
    "quick_count_convergence_spec",
    "quick_count_csv",
    "quick_count_figure",
    "quick_count_spec",
    "regions_map_csv",
    "regions_map_figure",
    "regions_map_spec",
    "turnout_by_area_csv",
    "turnout_by_area_figure",
    "turnout_by_area_spec",
    "turnout_day_csv",
    "turnout_day_figure",
    "turnout_day_spec",
    "turnout_distribution_figure",
    "turnout_distribution_spec",
    "turnout_estimate_csv",
    "turnout_estimate_figure",
    "turnout_estimate_spec",
    "zone_of",
]
