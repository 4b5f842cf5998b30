"""GET /api/v1/missions/{id}/export/<dataset>.<csv|xlsx> for coordinators and analysts."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from missions.access import STAFF_ROLES, mission_for
from missions.audit import audit_record

from .exports import EXPORTS, csv_chunks, xlsx_write

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IgnoreAccept(BaseContentNegotiation):
    """The file's format is in its URL; an ``Accept: text/csv`` header must not be a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportView(APIView):
    """Download the mission's visits, findings, stations or observers as CSV or XLSX.

    CSV is streamed as it is read from the database; XLSX is written to a temporary file
    with openpyxl's write-only workbook and then streamed. Memory stays flat either way.
    """

    content_negotiation_class = IgnoreAccept

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, mission_id, dataset, fmt):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        export = EXPORTS[dataset](mission=mission)
        filename = f"mission-{mission.pk}-{dataset}.{fmt}"
        audit_record(
            actor=request.user,
            mission=mission,
            action="export.download",
            obj=mission,
            after={"dataset": dataset, "format": fmt},
            at=timezone.now(),
        )
        if fmt == "csv":
            response = StreamingHttpResponse(
                csv_chunks(export), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        # Deleted when FileResponse closes it, after the last byte is sent.
        spool = tempfile.TemporaryFile()
        xlsx_write(export, spool)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
