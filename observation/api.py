"""The observation part of the public API (API.md: Checklists, Visits), plus review, photos
and device tokens. Views parse, call one service or selector, and serialize.

Who may do what (everything a caller may not see is a 404):
- checklists: the mission's coordinators, analysts and observers read them.
- POST visits: observers of the station's mission. A user who is an observer of no mission
  gets a 403; an observer naming a station outside their missions gets a 400 on ``station``.
- visits: observers read their team's, coordinators and analysts their missions'.
- review, delete: coordinators; others who can see the visit (analysts, the team) get a 403.
- photos: upload by the visit's team or a coordinator (analysts 403); download by the
  mission's coordinators and analysts only (everyone else 404).
- device tokens: coordinators of the observer's mission (analysts 403, others 404).
"""

import json

import django_filters
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.parsing import JSONParser, whole_number
from missions.access import STAFF_ROLES, mission_for
from missions.models import MemberRole

from . import selectors, services
from .devices.services import observer_token_issue, observer_token_revoke
from .models import Stage, Visit, VisitStatus
from .serializers import (
    ChecklistSerializer,
    FindingReviewSerializer,
    FindingSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    TokenSerializer,
    VisitInputSerializer,
    VisitReviewSerializer,
    VisitSerializer,
    visit_data,
)
from .services.photos import MAX_PHOTO_BYTES

# Room for the multipart boundaries and headers around a photo of the largest allowed size.
MULTIPART_SLACK = 64 * 1024

ERRORS = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description='{"field": ["what to fix", ...]}'
)


def review_response(request, *, obj, body, out) -> Response:
    """The one review flow of the API, for visits and findings: parse, review, answer."""
    verdict = body(data=request.data)
    verdict.is_valid(raise_exception=True)
    services.review_apply(obj=obj, actor=request.user, now=timezone.now(), **verdict.validated_data)
    return Response(out(obj).data)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = {
        "client_uuid": [
            "A different visit was already sent with this client_uuid; a new visit needs a "
            "new client_uuid."
        ]
    }
    default_code = "conflict"


@extend_schema(
    parameters=[
        OpenApiParameter("all", OpenApiTypes.BOOL, description="Every version, not only current"),
        OpenApiParameter("version", OpenApiTypes.INT, description="Only this version"),
        OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values),
    ]
)
class ChecklistList(ListAPIView):
    """The mission's checklists (current versions unless ``?all=1`` or ``?version=N``).

    Question texts come in the request's language (``Accept-Language``) when translated."""

    serializer_class = ChecklistSerializer
    filter_backends = []

    def get_queryset(self):
        mission = mission_for(
            user=self.request.user,
            mission_id=self.kwargs["mission_id"],
            roles=(*STAFF_ROLES, MemberRole.OBSERVER),
        )
        params = self.request.query_params
        version = params.get("version")
        if version is not None:
            version = whole_number(version, minimum=1)
            if version is None:
                raise exceptions.ValidationError({"version": ["version must be a whole number."]})
        stage = params.get("stage")
        if stage and stage not in Stage.values:
            raise exceptions.ValidationError(
                {"stage": [f"stage must be one of {', '.join(Stage.values)}."]}
            )
        return selectors.checklists_for_mission(
            mission=mission,
            all_versions=params.get("all", "").lower() in ("1", "true", "yes"),
            version=version,
            stage=stage,
        )


class VisitFilter(django_filters.FilterSet):
    mission = django_filters.NumberFilter(field_name="mission_id")
    station = django_filters.NumberFilter(field_name="station_id")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)

    class Meta:
        model = Visit
        fields = ["mission", "station", "stage", "status"]


class VisitDeleteQuerySerializer(serializers.Serializer):
    # A CharField refuses NUL characters, which PostgreSQL cannot store (a 500 before).
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why"
    )


class VisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Visit reports. Observers see their team's, coordinators and analysts their missions'."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.visits_visible_to(user=self.request.user)

    @extend_schema(
        request=VisitInputSerializer,
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="A replay: the visit stored"),
            400: ERRORS,
            403: OpenApiResponse(description="The caller is an observer of no mission"),
            409: OpenApiResponse(description="client_uuid already used for another visit"),
        },
    )
    def create(self, request):
        """Submit a visit (idempotent on ``client_uuid``); suspicious ones come back FLAGGED."""
        observer, station = selectors.observer_for_submission(
            user=request.user, payload=request.data
        )
        try:
            visit, created = services.visit_submit(
                observer=observer, payload=request.data, now=timezone.now(), station=station
            )
        except services.VisitInvalid as exc:
            raise exceptions.ValidationError(exc.errors) from None
        except services.VisitConflict:
            raise Conflict from None
        return Response(
            visit_data(visit), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(parameters=[VisitDeleteQuerySerializer], responses={204: None})
    def destroy(self, request, pk=None):
        """Delete a visit (coordinators): a duplicate or a test report. The audit keeps it."""
        visit = selectors.visit_for_review(user=request.user, visit_id=pk)
        query = VisitDeleteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.visit_delete(
            visit=visit,
            actor=request.user,
            reason=query.validated_data["reason"],
            now=timezone.now(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=VisitReviewSerializer, responses={200: VisitSerializer, 400: ERRORS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Verify or reject a visit (coordinators; a reason is required to reject)."""
        visit = selectors.visit_for_review(user=request.user, visit_id=pk)
        return review_response(request, obj=visit, body=VisitReviewSerializer, out=VisitSerializer)


class FindingReview(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=FindingReviewSerializer, responses={200: FindingSerializer})
    def post(self, request, pk):
        """Confirm or dismiss a finding (coordinators)."""
        finding = selectors.finding_for_action(user=request.user, finding_id=pk, team_may=False)
        return review_response(
            request, obj=finding, body=FindingReviewSerializer, out=FindingSerializer
        )


class FindingPhotoUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=PhotoUploadSerializer,
        responses={201: PhotoSerializer, 200: PhotoSerializer, 400: ERRORS},
    )
    def post(self, request, pk):
        """Attach a photo to a finding: JPEG or PNG by content, at most 10 MB, 3 per finding."""
        finding = selectors.finding_for_action(user=request.user, finding_id=pk, team_may=True)
        # Refuse a body far over the limit before reading it into a temporary file.
        declared = whole_number(request.META.get("CONTENT_LENGTH") or "0") or 0
        if declared > MAX_PHOTO_BYTES + MULTIPART_SLACK:
            raise exceptions.ValidationError(
                {"image": [f"The photo is over {MAX_PHOTO_BYTES // 2**20} MB; send a smaller one."]}
            )
        image = request.FILES.get("image")
        if image is None:
            raise exceptions.ValidationError(
                {"image": ["Attach the photo as the multipart field 'image'."]}
            )
        photo, created = services.finding_photo_add(
            finding=finding, actor=request.user, image=image, now=timezone.now()
        )
        return Response(
            PhotoSerializer(photo).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AnyMediaRenderer(BaseRenderer):
    """Lets a client that asks for ``image/*`` through content negotiation; errors stay JSON."""

    media_type = "*/*"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if not isinstance(data, bytes) else data


class PhotoDownload(APIView):
    renderer_classes = [JSONRenderer, AnyMediaRenderer]

    def handle_exception(self, exc):
        """Errors are JSON whatever the client accepts (``?format=bin`` or ``Accept: image/*``
        would otherwise send them as ``*/*``)."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request, pk):
        """A finding photo, for the mission's coordinators and analysts."""
        photo = selectors.photo_for_download(user=request.user, photo_id=pk)
        response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ObserverToken(APIView):
    @extend_schema(request=None, responses={200: TokenSerializer})
    def post(self, request, pk):
        """A new device token for the observer, for their phone (replaces the earlier one,
        whose phone is logged out). Shown only in this answer: only its hash is stored."""
        observer = selectors.observer_for_coordinator(user=request.user, observer_id=pk)
        token = observer_token_issue(observer=observer, actor=request.user, now=timezone.now())
        return Response({"token": token})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        """Revoke the observer's device token: the phone holding it gets 401 from then on."""
        observer = selectors.observer_for_coordinator(user=request.user, observer_id=pk)
        observer_token_revoke(observer=observer, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
