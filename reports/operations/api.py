"""The operations room's part of the public API (API.md, "Round 2 additions"): reporting
status and contacts, incidents and their triage, messages to observers, live figures.

Coordinators and analysts read (phones only for coordinators); coordinators write (an analyst
gets a 403); everyone else gets a 404. Observers read their own messages.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageSizePagination, paginated_schema
from missions.access import STAFF_ROLES, mission_for, role_in
from missions.models import MemberRole
from missions.report_due import REPORT_STAGES
from observation.models import Finding, Severity, Stage

from ..models import MESSAGE_MAX_LENGTH, Triage
from . import selectors, services


def _staff_mission(request, mission_id):
    return mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)


def _is_coordinator(request, mission) -> bool:
    return role_in(user=request.user, mission_id=mission.pk) == MemberRole.COORDINATOR


def _coordinator_mission(request, mission_id, what: str):
    mission = _staff_mission(request, mission_id)
    if not _is_coordinator(request, mission):
        raise PermissionDenied(f"Only the mission's coordinators may {what}.")
    return mission


class LocalDateTimeField(serializers.DateTimeField):
    """A time as the selector gives it, in the mission's time zone with its offset (DRF's own
    field would turn it into the site's zone, UTC)."""

    def to_representation(self, value):
        return value.isoformat() if value else None


def _local(moment, tz) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


# --- reporting status ---------------------------------------------------------------------------


class ContactSerializer(serializers.Serializer):
    at = LocalDateTimeField()
    by = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class ReportingObserverSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    phone = serializers.CharField(allow_null=True, help_text="Coordinators only; null otherwise.")
    email = serializers.CharField(allow_null=True, help_text="Coordinators only; null otherwise.")


class ReportingRowSerializer(serializers.Serializer):
    team = serializers.CharField()
    status = serializers.ChoiceField(choices=selectors.REPORTING_STATUSES)
    reports = serializers.IntegerField()
    last_report_at = LocalDateTimeField(allow_null=True)
    last_station = serializers.CharField(allow_null=True)
    observers = ReportingObserverSerializer(many=True)
    last_contact = ContactSerializer(allow_null=True)


class ReportingStatusSerializer(serializers.Serializer):
    as_of = LocalDateTimeField()
    stage = serializers.CharField()
    due_at = LocalDateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = ReportingRowSerializer(many=True)


class ReportingQuerySerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, default="OPENING")
    region = serializers.CharField(required=False, max_length=64)
    organisation = serializers.IntegerField(required=False, min_value=1)


class ReportingStatus(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("stage", str, enum=REPORT_STAGES, default="OPENING"),
            OpenApiParameter("region", str, description="A region's area code."),
            OpenApiParameter("organisation", int, description="An organisation's id."),
        ],
        responses=ReportingStatusSerializer,
        summary="Every team's reports of a stage: OK, PENDING or MISSING, teams with none first",
    )
    def get(self, request, mission_id):
        mission = _staff_mission(request, mission_id)
        query = ReportingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        region_id = None
        if query.validated_data.get("region"):
            area = selectors.areas_by_code(mission=mission).get(query.validated_data["region"])
            if area is None:
                raise serializers.ValidationError({"region": ["Unknown area code."]})
            region_id = area["id"]
        report = selectors.reporting_status(
            mission=mission,
            stage=query.validated_data["stage"],
            now=timezone.now(),
            with_contacts=_is_coordinator(request, mission),
            region_id=region_id,
            organisation_id=query.validated_data.get("organisation"),
        )
        return Response(ReportingStatusSerializer(report).data)


class ContactInputSerializer(serializers.Serializer):
    team = serializers.CharField(max_length=64)
    stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(
        max_length=services.NOTE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class ContactAnswerSerializer(serializers.Serializer):
    team = serializers.CharField()
    stage = serializers.CharField()
    last_contact = ContactSerializer()


class ReportingContacts(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: ContactAnswerSerializer},
        summary="Record that the centre contacted a team about a stage, with a note",
    )
    def post(self, request, mission_id):
        mission = _coordinator_mission(request, mission_id, "record contacts")
        body = ContactInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = services.team_contact_record(
            mission=mission,
            team_code=body.validated_data["team"],
            stage=body.validated_data["stage"],
            note=body.validated_data["note"],
            actor=request.user,
            now=timezone.now(),
        )
        answer = {
            "team": contact.team.code,
            "stage": contact.stage,
            "last_contact": {
                "at": contact.at.astimezone(mission.tzinfo),
                "by": request.user.get_username(),
                "note": contact.note,
            },
        }
        return Response(ContactAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


# --- incidents ----------------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    at = serializers.SerializerMethodField()
    by = serializers.CharField(allow_null=True, source="author.username", default=None)
    text = serializers.CharField()

    def get_at(self, note) -> str:
        return _local(note.at, self.context.get("tz"))


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visit = serializers.IntegerField(source="visit_id")
    station_code = serializers.CharField(source="visit.station.code")
    area_name = serializers.CharField(source="visit.station.region.name")
    team = serializers.CharField(source="visit.team.code", default=None, allow_null=True)
    stage = serializers.CharField(source="visit.stage")
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    severity = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    review_status = serializers.CharField()
    reported_at = serializers.SerializerMethodField()
    triage = serializers.ChoiceField(choices=Triage.values, source="triage_status")
    assignee = serializers.CharField(source="assignee_name", allow_null=True)
    photos = serializers.IntegerField(source="photo_count")
    notes = NoteSerializer(many=True, source="notes_list")

    def get_reported_at(self, finding) -> str:
        """When the finding came in, in the mission's time zone."""
        return _local(finding.created_at, self.context.get("tz"))


class IncidentQuerySerializer(serializers.Serializer):
    triage = serializers.ChoiceField(choices=Triage.values, required=False)
    severity = serializers.ChoiceField(
        choices=[Severity.SERIOUS, Severity.CRITICAL], required=False
    )
    region = serializers.CharField(required=False, max_length=64)


class IncidentList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("triage", str, enum=Triage.values),
            OpenApiParameter("severity", str, enum=[Severity.SERIOUS, Severity.CRITICAL]),
            OpenApiParameter("region", str, description="A region's area code."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=paginated_schema(IncidentSerializer, "PaginatedIncidentList"),
        summary="Every serious and critical finding, newest first, with its triage",
    )
    def get(self, request, mission_id):
        mission = _staff_mission(request, mission_id)
        query = IncidentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        findings = selectors.incidents(
            mission=mission,
            triage=query.validated_data.get("triage"),
            severity=query.validated_data.get("severity"),
            region_code=query.validated_data.get("region"),
        )
        paginator = PageSizePagination()
        page = selectors.incidents_load(paginator.paginate_queryset(findings, request, view=self))
        return paginator.get_paginated_response(
            IncidentSerializer(page, many=True, context={"tz": mission.tzinfo}).data
        )


class TriageInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[Triage.ACKNOWLEDGED, Triage.FOLLOW_UP, Triage.CLOSED],
        help_text="Any status but NEW.",
    )
    assignee = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=150,
        help_text="A username of a coordinator of the mission; empty or null unassigns.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=services.INCIDENT_NOTE_MAX_LENGTH, default=""
    )


class IncidentTriageView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=TriageInputSerializer,
        responses={200: IncidentSerializer},
        summary="Triage an incident (coordinators): status, assignee, a note; audited",
    )
    def post(self, request, pk):
        finding = (
            Finding.objects.select_related("visit__mission").filter(pk=pk).first()
            if str(pk).isdigit()
            else None
        )
        if finding is None:
            raise Http404
        mission = _coordinator_mission(request, finding.visit.mission_id, "triage incidents")
        incident = selectors.incident_for(mission=mission, finding_id=finding.pk)
        if incident is None:  # a minor finding, or one of a rejected visit: not an incident
            raise Http404
        body = TriageInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.incident_triage(
            finding=finding,
            actor=request.user,
            status=body.validated_data["status"],
            assignee=body.validated_data.get("assignee", services.KEEP),
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        incident = selectors.incident_for(mission=mission, finding_id=finding.pk)
        return Response(IncidentSerializer(incident, context={"tz": mission.tzinfo}).data)


# --- messages -----------------------------------------------------------------------------------


class MessageInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)
    text_i18n = serializers.DictField(
        child=serializers.CharField(max_length=MESSAGE_MAX_LENGTH, allow_blank=True),
        required=False,
        help_text='Translations in the mission\'s other languages: {"ru": "...", ...}.',
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )
    teams = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=5000
    )


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    text_i18n = serializers.DictField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    teams = serializers.ListField(child=serializers.CharField())
    sent_at = serializers.SerializerMethodField()
    sent_by = serializers.CharField(source="sent_by.username", default=None, allow_null=True)
    recipients = serializers.IntegerField()
    read = serializers.IntegerField()

    def get_sent_at(self, message) -> str:
        return _local(message.sent_at, self.context.get("tz"))


class MissionMessages(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=paginated_schema(MessageSerializer, "PaginatedMissionMessageList"),
        summary="The mission's messages to observers, with how many received and read each",
    )
    def get(self, request, mission_id):
        mission = _coordinator_mission(request, mission_id, "read the messages")
        paginator = PageSizePagination()
        page = paginator.paginate_queryset(
            selectors.mission_messages(mission=mission), request, view=self
        )
        return paginator.get_paginated_response(
            MessageSerializer(page, many=True, context={"tz": mission.tzinfo}).data
        )

    @extend_schema(
        request=MessageInputSerializer,
        responses={
            201: inline_serializer(
                "MessageSent",
                {"id": serializers.IntegerField(), "recipients": serializers.IntegerField()},
            )
        },
        summary="Send a notice to every observer, some regions or some teams",
    )
    def post(self, request, mission_id):
        mission = _coordinator_mission(request, mission_id, "send messages")
        body = MessageInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.message_send(
            mission=mission,
            actor=request.user,
            text=body.validated_data["text"],
            text_i18n=body.validated_data.get("text_i18n"),
            regions=body.validated_data.get("regions"),
            teams=body.validated_data.get("teams"),
            now=timezone.now(),
        )
        return Response(
            {"id": message.pk, "recipients": message.recipients}, status=status.HTTP_201_CREATED
        )


class ObserverMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="message_id")
    mission = serializers.IntegerField(source="message.mission_id")
    text = serializers.SerializerMethodField()
    sent_at = serializers.SerializerMethodField()
    read_at = serializers.SerializerMethodField()

    def get_text(self, delivery) -> str:
        return selectors.delivery_text(delivery)

    def get_sent_at(self, delivery) -> str:
        return _local(delivery.message.sent_at, delivery.message.mission.tzinfo)

    def get_read_at(self, delivery) -> str | None:
        return _local(delivery.read_at, delivery.message.mission.tzinfo)


class MessageQuerySerializer(serializers.Serializer):
    mission = serializers.IntegerField(required=False, min_value=1)


class MyMessages(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("mission", int, description="Only this mission's messages."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=paginated_schema(ObserverMessageSerializer, "PaginatedObserverMessageList"),
        summary="The caller's messages from their missions' coordinators, newest first",
    )
    def get(self, request):
        query = MessageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = selectors.observer_messages(
            user=request.user, mission_id=query.validated_data.get("mission")
        )
        paginator = PageSizePagination()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response(ObserverMessageSerializer(page, many=True).data)


class MessageRead(APIView):
    @extend_schema(request=None, responses={200: ObserverMessageSerializer})
    def post(self, request, pk):
        """Mark one of the caller's messages read (the first reading counts)."""
        delivery = (
            selectors.observer_messages(user=request.user).filter(message_id=pk).first()
            if str(pk).isdigit()
            else None
        )
        if delivery is None:
            raise Http404
        services.message_mark_read(delivery=delivery, now=timezone.now())
        return Response(ObserverMessageSerializer(delivery).data)


# --- live figures -------------------------------------------------------------------------------


class LiveSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    visits = serializers.IntegerField()
    stations_visited = serializers.IntegerField()
    stations_total = serializers.IntegerField()
    findings = inline_serializer(
        "LiveFindings",
        {severity: serializers.IntegerField() for severity in ("CRITICAL", "SERIOUS", "MINOR")},
    )
    incidents_new = serializers.IntegerField()


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class Live(APIView):
    """Polled every few seconds by every open dashboard and coordinator page: the caller's
    role (one query, or none with the role cache) and the cached figures; no transaction."""

    @extend_schema(
        responses=LiveSerializer,
        summary="Key figures from the aggregates, cheap enough to poll every few seconds",
    )
    def get(self, request, mission_id):
        if role_in(user=request.user, mission_id=mission_id) not in STAFF_ROLES:
            raise Http404
        figures = selectors.live_figures(mission_id=int(mission_id))
        if figures is None:
            raise Http404
        response = Response(figures)
        response["Cache-Control"] = "no-store"
        return response
