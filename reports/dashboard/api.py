"""The dashboard's charts through the API: the very figures the dashboard page draws.

``GET /api/v1/missions/{id}/charts/`` answers every chart of the dashboard as Plotly figure
JSON (what ``Plotly.newPlot`` takes) with its title and the URL of its data as CSV;
``GET /api/v1/missions/{id}/charts/{name}.csv`` is that data. Both take the dashboard's
filters (``stage``, ``region``, ``organisation``, ``since``, ``until``, ``hour``), which
narrow the figures as on the page (``reports.dashboard.selectors``), and are for the mission's
coordinators and analysts (404 for everyone else).
"""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from common.csv_export import BOM_HELP, BOM_PARAMETER, bom_wanted, csv_bytes
from missions.access import STAFF_ROLES, mission_for
from reports import charts
from reports.dashboard import selectors as dashboard
from reports.dashboard.forms import DashboardFilterForm

FILTERS = [
    OpenApiParameter("stage", str, description="OPENING, VOTING, CLOSING, COUNTING, TABULATION"),
    OpenApiParameter("region", int, description="Region id: its districts instead of regions"),
    OpenApiParameter(
        "organisation", int, description="Organisation id: its observers and their visits only"
    ),
    OpenApiParameter("since", str, description="HH:MM on election day, mission's time"),
    OpenApiParameter("until", str, description="HH:MM on election day, mission's time"),
    OpenApiParameter("hour", str, description="HH:00: the hour of the turnout-by-area chart"),
]


def _chart_arguments(request, mission_id):
    mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
    areas = dashboard.mission_areas(mission=mission)
    form = DashboardFilterForm(request.query_params or None, mission=mission, regions=areas.regions)
    data = dashboard.dashboard_data(mission=mission, filters=form.filters(), areas=areas)
    return mission, data


class MissionCharts(APIView):
    @extend_schema(
        parameters=FILTERS,
        responses=OpenApiTypes.OBJECT,
        summary="The dashboard's charts as Plotly figure JSON, with links to their data as CSV",
    )
    def get(self, request, mission_id):
        mission, data = _chart_arguments(request, mission_id)
        query = request.GET.urlencode()
        return Response(
            {
                "as_of": data.as_of,
                "level": data.level,
                "charts": [
                    {
                        "name": name,
                        "title": str(charts.CHARTS[name].title),
                        "figure": charts.CHARTS[name].spec(**arguments),
                        "csv": request.build_absolute_uri(
                            reverse("mission-chart-csv", args=[mission.pk, name])
                            + (f"?{query}" if query else "")
                        ),
                    }
                    for name, arguments in data.charts.items()
                ],
            }
        )


class MissionChartCsv(APIView):
    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter(
                BOM_PARAMETER, str, OpenApiParameter.QUERY, enum=["1", "0"], description=BOM_HELP
            ),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        summary="The data of one dashboard chart as CSV",
    )
    def get(self, request, mission_id, name):
        mission, data = _chart_arguments(request, mission_id)
        if name not in data.charts:
            raise Http404
        body = csv_bytes(
            charts.CHARTS[name].csv(**data.charts[name]),
            guarded=True,
            bom=bom_wanted(request.query_params),
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
