"""The briefings part of the public API (API.md "Briefings") and the files they link to.

Coordinators publish and withdraw; coordinators and analysts list their mission's briefings;
anyone reads what ``reports.briefings.briefings_visible`` lets them see (press members of the
mission past the embargo, everyone for public briefings), and a 404 hides the rest.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.csv_export import BOM_HELP, BOM_PARAMETER, bom_wanted
from missions.access import STAFF_ROLES, mission_for, role_in
from missions.models import MemberRole
from observation.serializers import translated
from reports.aggregates.serializers import AwareDateTimeField
from reports.briefings.packs import briefing_pack_file, briefing_pack_get
from reports.briefings.selectors import (
    briefing_chart_csv,
    briefing_chart_file,
    briefing_charts,
    briefing_content,
    briefing_file_name,
    briefing_get,
    briefing_may_withdraw,
    briefings_visible,
    request_language,
)
from reports.briefings.services import briefing_pack_request, briefing_publish, briefing_withdraw
from reports.charts import rendering
from reports.charts.style import DEFAULT_SIZE, SIZES
from reports.models import SUMMARY_MAX, Briefing, BriefingPackStatus, summary_i18n_validate


class BriefingCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary = serializers.CharField(
        max_length=SUMMARY_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The mission's key messages, in Markdown (HTML in it is removed).",
    )
    summary_i18n = serializers.DictField(
        child=serializers.CharField(max_length=SUMMARY_MAX, allow_blank=True),
        required=False,
        default=dict,
        help_text='Translations of the summary: {"ru": "...", "kk": "..."}.',
    )
    embargo_until = AwareDateTimeField(required=False, allow_null=True, default=None)
    public = serializers.BooleanField(required=False, default=False)

    def validate_summary_i18n(self, value):
        value = {code: text.strip() for code, text in value.items() if text.strip()}
        try:
            summary_i18n_validate(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


class BriefingWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BriefingSerializer(serializers.ModelSerializer):
    """A briefing in a list: what it is and where to read it."""

    mission_name = serializers.CharField(source="mission.name", read_only=True)
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = [
            "id",
            "mission",
            "mission_name",
            "title",
            "published_at",
            "embargo_until",
            "public",
            "withdrawn_at",
            "aggregates_as_of",
            "url",
            "page",
        ]

    def get_url(self, briefing) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("briefing-detail", args=[briefing.pk])
        )

    def get_page(self, briefing) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("reports:briefing", args=[briefing.pk])
        )


def chart_links(request, briefing) -> list[dict]:
    def url(name, fmt):
        return request.build_absolute_uri(
            reverse("briefing-chart-file", args=[briefing.pk, name, fmt])
        )

    def embed(name):
        return request.build_absolute_uri(
            reverse("reports:briefing-embed", args=[briefing.pk, name])
        )

    return [
        {
            "name": chart["name"],
            "title": chart["title"],
            **{fmt: url(chart["name"], fmt) for fmt in ("png", "svg", "pdf", "csv")},
            # The PNG at each size: print (A4), web, slide (16:9), social (square).
            "sizes": {size: f"{url(chart['name'], 'png')}?size={size}" for size in SIZES},
            "embed": embed(chart["name"]) if briefing.public else None,
        }
        for chart in briefing_charts(briefing=briefing)
    ]


def briefing_detail_data(request, briefing) -> dict:
    content = briefing_content(briefing=briefing)
    data = BriefingSerializer(briefing, context={"request": request}).data
    data.update(
        {
            # The key messages in the reader's language (Markdown), and as sanitised HTML.
            "summary": translated(briefing.summary, briefing.summary_i18n),
            "summary_html": content["summary_html"],
            "summary_i18n": briefing.summary_i18n,
            "source": content["source"],
            "methodology": content["methodology"],
            "key_figures": content["key_figures"],
            "assessments": content["assessments"],
            "turnout": content["turnout"],
            "findings": content["findings"],
            "charts": chart_links(request, briefing),
            "pack": request.build_absolute_uri(reverse("briefing-pack-file", args=[briefing.pk])),
            "pack_status": request.build_absolute_uri(reverse("briefing-pack", args=[briefing.pk])),
            "slides": request.build_absolute_uri(
                reverse("reports:briefing-slides", args=[briefing.pk])
            ),
        }
    )
    return data


class MissionBriefings(ListAPIView):
    """``GET``: the mission's briefings (coordinators, analysts). ``POST``: publish one."""

    serializer_class = BriefingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Briefing.objects.none()
        mission = mission_for(
            user=self.request.user, mission_id=self.kwargs["mission_id"], roles=STAFF_ROLES
        )
        briefings = briefings_visible(user=self.request.user, now=timezone.now(), mission=mission)
        return briefings.defer("snapshot")

    @extend_schema(request=BriefingCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, mission_id):
        role = role_in(user=request.user, mission_id=mission_id)
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        if role != MemberRole.COORDINATOR:
            raise PermissionDenied("Only the mission's coordinators publish briefings.")
        serializer = BriefingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        briefing = briefing_publish(
            mission=mission, user=request.user, now=timezone.now(), **serializer.validated_data
        )
        return Response(briefing_detail_data(request, briefing), status=status.HTTP_201_CREATED)


class VisibleBriefings(ListAPIView):
    """The briefings the caller may read: public ones for anyone, more for members."""

    serializer_class = BriefingSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return briefings_visible(user=self.request.user, now=timezone.now()).defer("snapshot")


class BriefingDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, briefing_id):
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=timezone.now())
        return Response(briefing_detail_data(request, briefing))


class BriefingWithdraw(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=BriefingWithdrawSerializer, responses={200: BriefingSerializer})
    def post(self, request, briefing_id):
        now = timezone.now()
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
        if not briefing_may_withdraw(user=request.user, briefing=briefing):
            raise PermissionDenied("Only the mission's coordinators withdraw briefings.")
        serializer = BriefingWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        briefing = briefing_withdraw(
            briefing=briefing, user=request.user, now=now, **serializer.validated_data
        )
        return Response(BriefingSerializer(briefing, context={"request": request}).data)


class FirstRenderer(BaseContentNegotiation):
    """File downloads answer errors as JSON whatever ``Accept`` says (no 406 for image/png)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def unavailable() -> Response:
    return Response(
        {"detail": rendering.INSTALL_HINT, "install": "apt-get install chromium"},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def file_response(data: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=rendering.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class BriefingChartFile(APIView):
    """One chart of a briefing as PNG, SVG, PDF (rendered once, then cached) or CSV."""

    permission_classes = [AllowAny]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        parameters=[
            # Spelled out: the URL's (png|svg|pdf|csv) would become the pattern
            # "^png|svg|pdf|csv$", which also matches "pngX".
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(rendering.CONTENT_TYPES)),
            OpenApiParameter(
                "size",
                str,
                OpenApiParameter.QUERY,
                enum=list(SIZES),
                description="print (A4, the default), web, slide (16:9) or social (square)",
            ),
            OpenApiParameter(
                BOM_PARAMETER,
                str,
                OpenApiParameter.QUERY,
                enum=["1", "0"],
                description=f"CSV only. {BOM_HELP}",
            ),
        ],
        responses={
            # The format in the URL decides: .png, .svg, .pdf or .csv.
            **{
                (200, content_type.split(";")[0]): OpenApiTypes.BINARY
                for content_type in rendering.CONTENT_TYPES.values()
            },
            503: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Chromium is missing or the render failed"
            ),
        },
    )
    def get(self, request, briefing_id, name, fmt):
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=timezone.now())
        size = request.query_params.get("size", DEFAULT_SIZE)
        if size not in SIZES:
            return Response(
                {"size": [f"One of {', '.join(SIZES)}."]}, status=status.HTTP_400_BAD_REQUEST
            )
        filename = briefing_file_name(briefing=briefing, name=name, fmt=fmt)
        if fmt == "csv":
            data = briefing_chart_csv(
                briefing=briefing, name=name, bom=bom_wanted(request.query_params)
            )
        else:
            if size != DEFAULT_SIZE:
                filename = filename.replace(f".{fmt}", f"-{size}.{fmt}")
            try:
                data = briefing_chart_file(
                    briefing=briefing, name=name, fmt=fmt, language=request_language(), size=size
                )
            except rendering.ChromiumUnavailable:
                return unavailable()
            except rendering.RenderFailed:
                return Response(
                    {"detail": "The chart could not be rendered just now; try again."},
                    status=status.HTTP_503_SERVICE_UNAVAILABLE,
                    headers={"Retry-After": "5"},
                )
        return file_response(data, fmt=fmt, filename=filename)


def pack_status_data(request, briefing, pack) -> dict:
    state = pack.status if pack else "NONE"
    ready = state == BriefingPackStatus.READY
    return {
        "status": state,
        "done": pack.done if pack else 0,
        "total": pack.total if pack else 0,
        "percent": round(100 * pack.done / pack.total) if pack and pack.total else 0,
        "error": pack.error if pack else "",
        "download": request.build_absolute_uri(reverse("briefing-pack-file", args=[briefing.pk]))
        if ready
        else None,
    }


class BriefingPack(APIView):
    """``GET``: how far the briefing pack is. ``POST``: have it built (202), if it is not."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, briefing_id):
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=timezone.now())
        pack = briefing_pack_get(briefing=briefing, language=request_language())
        return Response(pack_status_data(request, briefing, pack))

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The pack is ready"),
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="The pack is being built"),
            503: OpenApiResponse(OpenApiTypes.OBJECT, description="Chromium is missing"),
        },
    )
    def post(self, request, briefing_id):
        now = timezone.now()
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
        language = request_language()
        pack = briefing_pack_get(briefing=briefing, language=language)
        if pack is None or pack.status != BriefingPackStatus.READY:
            if not rendering.chromium_available():
                return unavailable()
            pack = briefing_pack_request(briefing=briefing, language=language, now=now)
        ready = pack.status == BriefingPackStatus.READY
        return Response(
            pack_status_data(request, briefing, pack),
            status=status.HTTP_200_OK if ready else status.HTTP_202_ACCEPTED,
        )


class BriefingPackFile(APIView):
    """The briefing pack PDF; if it is not built yet, the build starts and the answer is 202."""

    permission_classes = [AllowAny]
    content_negotiation_class = FirstRenderer

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Not built yet: the build starts; ask again"
            ),
            503: OpenApiResponse(OpenApiTypes.OBJECT, description="Chromium is missing"),
        }
    )
    def get(self, request, briefing_id):
        now = timezone.now()
        briefing = briefing_get(user=request.user, briefing_id=briefing_id, now=now)
        language = request_language()
        pack = briefing_pack_get(briefing=briefing, language=language)
        data = briefing_pack_file(pack=pack) if pack else None
        if data is not None:
            return file_response(
                data, fmt="pdf", filename=f"briefing-{briefing.pk}-pack-{language}.pdf"
            )
        if not rendering.chromium_available():
            return unavailable()
        pack = briefing_pack_request(briefing=briefing, language=language, now=now)
        return Response(
            {
                **pack_status_data(request, briefing, pack),
                "detail": "The briefing pack is being built; try again in a few seconds.",
            },
            status=status.HTTP_202_ACCEPTED,
            headers={"Retry-After": "3"},
        )
