"""Setting a mission up through the API: imports, members and samples (API.md)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import RetrieveAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.parsing import whole_number

from ..access import STAFF_ROLES, coordinator_mission_for, mission_for, object_or_404
from ..api import MissionScopedList
from ..imports import (
    ImportResult,
    import_job_start_api,
    import_job_state,
    import_job_step,
    observers_import,
    stations_import,
)
from ..imports.spreadsheets import rows_estimate
from ..models import ImportJob, ImportKind, Membership, Sample, SampleStation
from ..sampling import REASON_MAX, SAMPLE_COLUMNS, sample_draw, sample_use
from ..selectors import sample_stations
from ..services import MEMBER_ROLES, member_add, member_remove
from ..tasks import import_job_run

TRUE_VALUES = {"1", "true", "yes", "on"}


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Spreadsheet row; 1 is the header.")
    field = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    also_created = serializers.DictField(child=serializers.IntegerField())
    errors = ImportErrorSerializer(many=True)


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    url = serializers.URLField()
    result = serializers.DictField(
        allow_null=True, help_text="Once checked or imported: the import answer's fields."
    )


def _job_body(request, job) -> dict:
    state = import_job_state(job=job)
    path = f"/api/v1/missions/{job.mission_id}/imports/{job.pk}/"
    finished = not state["running"]
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": state["progress"] or 0,
        "url": request.build_absolute_uri(path),
        "result": job.result if finished and job.result else None,
    }


class ImportJobDetail(APIView):
    """An API import that a worker runs (more than ``IMPORT_API_ASYNC_ROWS`` rows): its state,
    and once it is finished the same answer a smaller import gets at once."""

    @extend_schema(responses={200: ImportJobSerializer})
    def get(self, request, mission_id, job_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        job = get_object_or_404(ImportJob, mission=mission, pk=job_id)
        return Response(_job_body(request, job))


def truthy(value) -> bool:
    return str(value or "").strip().lower() in TRUE_VALUES


def _error_body(message: str, *, dry_run: bool) -> dict:
    """A 400 about the upload itself, in the same shape as any other import answer."""
    return ImportResult(
        errors=[{"row": None, "field": "file", "message": message}], dry_run=dry_run
    ).as_response()


class ImportView(APIView):
    """POST a CSV or XLSX file as multipart ``file``; ``?dry_run=1`` only checks it."""

    parser_classes = [MultiPartParser, FormParser]
    service = None

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Only check.")],
        responses={
            200: ImportResultSerializer,
            202: ImportJobSerializer,
            400: ImportResultSerializer,
        },
    )
    def post(self, request, mission_id):
        mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
        dry_run = truthy(request.query_params.get("dry_run"))
        # Refuse an oversized body before Django spools it to disk.
        length = whole_number(request.META.get("CONTENT_LENGTH") or "0") or 0
        if length > settings.IMPORT_MAX_BYTES + 64 * 1024:
            return Response(
                _error_body(
                    _("The file is larger than the limit of %(limit)s MB.")
                    % {"limit": f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):g}"},
                    dry_run=dry_run,
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                _error_body(
                    _('Attach the spreadsheet as the multipart field "file".'), dry_run=dry_run
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        rows = rows_estimate(file=upload)
        if settings.IMPORT_API_ASYNC_ROWS < rows <= settings.IMPORT_MAX_ROWS:
            # Too large to check and import while a web worker waits: a Celery worker does it.
            # (Over IMPORT_MAX_ROWS, the check below refuses it at once.)
            job = import_job_start_api(
                mission=mission,
                kind=type(self).kind,
                upload=upload,
                dry_run=dry_run,
                actor=request.user,
                now=timezone.now(),
            )
            import_job_run.delay_on_commit(
                job_id=job.pk, step=import_job_step(dry_run=dry_run), language=get_language()
            )
            return Response(_job_body(request, job), status=status.HTTP_202_ACCEPTED)
        result = type(self).service(
            mission=mission,
            file=upload,
            dry_run=dry_run,
            actor=request.user,
            now=timezone.now(),
        )
        return Response(
            result.as_response(),
            status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST,
        )


class StationImport(ImportView):
    """Import polling stations: ``code,name,region,district,registered_voters`` required."""

    service = staticmethod(stations_import)
    kind = ImportKind.STATIONS


class ObserverImport(ImportView):
    """Import observers: ``username,full_name,organisation,nationality,role,team`` required."""

    service = staticmethod(observers_import)
    kind = ImportKind.OBSERVERS


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, style={"input_type": "password"}
    )
    role = serializers.ChoiceField(choices=MEMBER_ROLES)


class MemberOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class MemberList(APIView):
    """The mission's members; coordinators add one with ``{"username", "password", "role"}``."""

    @extend_schema(
        responses={200: inline_serializer("MemberListAnswer", {"results": MemberOut(many=True)})}
    )
    def get(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        memberships = (
            Membership.objects.filter(mission=mission)
            .select_related("user")
            .order_by("role", "user__username", "id")
        )
        return Response({"results": MemberOut(memberships, many=True).data})

    @extend_schema(
        request=MemberSerializer,
        responses={
            201: inline_serializer(
                "MemberAdded",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "role": serializers.CharField(),
                    "mission": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request, mission_id):
        mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership, created = member_add(
            mission=mission,
            username=data["username"],
            password=data.get("password"),
            role=data["role"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(
            {
                "id": membership.pk,
                "username": membership.user.username,
                "role": membership.role,
                "mission": mission.pk,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MemberDetail(APIView):
    """One member of the mission; coordinators take the role away with DELETE."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, mission_id, membership_id):
        """Remove a coordinator, analyst or press member (the account stays).

        400 for an observer (they leave through the observer import) and for the mission's
        last coordinator."""
        mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
        membership = get_object_or_404(Membership, mission=mission, pk=membership_id)
        member_remove(
            mission=mission, membership=membership, actor=request.user, now=timezone.now()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SampleSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", default=None, read_only=True, allow_null=True
    )
    stations = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "size",
            "seed",
            "frame_size",
            "strata",
            "created_at",
            "created_by",
            "in_use",
            "stations",
        ]
        extra_kwargs = {
            "in_use": {"help_text": "The sample the turnout estimate and the quick count read."}
        }

    def get_stations(self, sample) -> str:
        request = self.context.get("request")
        path = f"/api/v1/missions/{sample.mission_id}/samples/{sample.pk}/stations/"
        return request.build_absolute_uri(path) if request else path


class SampleDrawSerializer(serializers.Serializer):
    size = serializers.IntegerField(min_value=1)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False)


class SampleStationSerializer(serializers.ModelSerializer):
    station = serializers.IntegerField(source="station_id")
    code = serializers.CharField(source="station.code")
    name = serializers.CharField(source="station.name")
    region = serializers.CharField(source="station.region.name")
    district = serializers.CharField(source="station.district.name", default=None)
    urban = serializers.BooleanField(source="station.urban", allow_null=True)
    registered_voters = serializers.IntegerField(source="station.registered_voters")

    class Meta:
        model = SampleStation
        fields = ["station", *SAMPLE_COLUMNS]


class SampleList(MissionScopedList):
    """The mission's samples; coordinators draw one with ``{"size", "seed"}`` (seed optional)."""

    serializer_class = SampleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Sample.objects.none()
        return (
            Sample.objects.filter(mission=self.get_mission())
            .select_related("created_by")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=SampleDrawSerializer, responses={201: SampleSerializer})
    def post(self, request, mission_id):
        mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
        serializer = SampleDrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = sample_draw(
            mission=mission,
            size=serializer.validated_data["size"],
            seed=serializer.validated_data.get("seed"),
            actor=request.user,
            now=timezone.now(),
        )
        return Response(
            SampleSerializer(sample, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SampleDetail(RetrieveAPIView):
    """One sample with its strata and their population sizes."""

    serializer_class = SampleSerializer
    queryset = Sample.objects.none()  # for the schema; get_object decides

    def get_object(self):
        mission = mission_for(
            user=self.request.user, mission_id=self.kwargs["mission_id"], roles=STAFF_ROLES
        )
        samples = Sample.objects.select_related("created_by")
        return get_object_or_404(samples, mission=mission, pk=self.kwargs["sample_id"])


class SampleUseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class SampleUse(APIView):
    """Make this sample the one the estimates read (coordinators, with a reason; audited)."""

    @extend_schema(request=SampleUseSerializer, responses={200: SampleSerializer})
    def post(self, request, mission_id, sample_id):
        mission = coordinator_mission_for(user=request.user, mission_id=mission_id)
        sample = object_or_404(Sample.objects.filter(mission=mission), sample_id)
        serializer = SampleUseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = sample_use(
            mission=mission,
            sample=sample,
            reason=serializer.validated_data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(SampleSerializer(sample, context={"request": request}).data)


class SampleStationList(MissionScopedList):
    """The sampled stations with their stratum, its population size and their weight."""

    serializer_class = SampleStationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return SampleStation.objects.none()
        sample = get_object_or_404(Sample, mission=self.get_mission(), pk=self.kwargs["sample_id"])
        return sample_stations(sample=sample)
