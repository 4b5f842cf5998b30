"""GET /api/v1/missions/{id}/export/<dataset>.<csv|xlsx> for coordinators and analysts."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from common.csv_export import BOM_HELP, BOM_PARAMETER, bom_wanted
from common.streaming import csv_chunks
from missions.access import STAFF_ROLES, mission_for
from missions.audit import audit_record
from reports.exports.datasets import EXPORTS, xlsx_stream
from reports.exports.xlsx import MIME_TYPE

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": MIME_TYPE}


class IgnoreAccept(BaseContentNegotiation):
    """The file's format is in its URL; an ``Accept: text/csv`` header must not be a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportView(APIView):
    """Download the mission's visits, findings, stations or observers as CSV or XLSX.

    Both are streamed as the rows are read from the database: the download starts at once,
    no request waits for the whole file, and memory stays flat however many rows there are.
    CSV: UTF-8 with a byte order mark (`?bom=0` leaves it out), times ISO 8601 with the
    mission's offset, yes/no as `true`/`false`. XLSX: numbers, booleans and date-times on the
    mission's clock (the zone in the time columns' headers, `arrived_at (Asia/Almaty)`), a
    frozen header row and sized columns.
    """

    content_negotiation_class = IgnoreAccept

    @extend_schema(
        # Spelled out: the URL's alternatives would become a pattern like "^csv|xlsx$".
        parameters=[
            OpenApiParameter("dataset", str, OpenApiParameter.PATH, enum=list(EXPORTS)),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(CONTENT_TYPES)),
            OpenApiParameter(
                BOM_PARAMETER, str, OpenApiParameter.QUERY, enum=["1", "0"], description=BOM_HELP
            ),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, MIME_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request, mission_id, dataset, fmt):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        export = EXPORTS[dataset](mission=mission, typed=fmt == "xlsx")
        audit_record(
            actor=request.user,
            mission=mission,
            action="export.download",
            obj=mission,
            after={"dataset": dataset, "format": fmt},
            at=timezone.now(),
        )
        if fmt == "csv":
            chunks = csv_chunks(export, bom=bom_wanted(request.query_params))
        else:
            chunks = xlsx_stream(export)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        filename = f"mission-{mission.pk}-{dataset}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
