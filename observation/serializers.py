"""How checklists, visits, findings and photos look in the API (API.md: Checklists, Visits).

Input validation of a visit lives in ``services.visit_submit``; ``VisitInputSerializer`` only
describes the request body for the OpenAPI schema.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from missions.languages import text_in

from .checklists.schema import choice_values
from .checklists.services import QUESTION_FIELDS
from .models import (
    Assessment,
    Checklist,
    Finding,
    FindingCategory,
    FindingPhoto,
    Question,
    ReviewStatus,
    Severity,
    Visit,
    VisitStatus,
)
from .observe.selectors import choice_label
from .services.visit_flags import flags_for_reader


def translated(text: str, text_i18n: dict) -> str:
    """``text`` in the active language when a translation exists, English otherwise."""
    return str(text_in(text, text_i18n))


class QuestionSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField(
        help_text="The values an answer may take (API.md), whatever their labels."
    )
    choice_labels = serializers.SerializerMethodField(
        help_text="Each choice's label in the reader's language (English when the checklist "
        'has none in it): [{"value", "label", "language"}].'
    )
    show_if = serializers.JSONField(
        allow_null=True, help_text='null or {"question": "<code>", "equals": <value>}'
    )
    text_i18n = serializers.DictField(child=serializers.CharField())
    help = serializers.SerializerMethodField()
    help_i18n = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = Question
        fields = ["code", "position", *QUESTION_FIELDS[1:], "choice_labels"]

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_choices(self, question) -> list:
        return choice_values(question.choices)

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "label": {"type": "string"},
                    "language": {"type": "string"},
                },
            },
        }
    )
    def get_choice_labels(self, question) -> list:
        labels = []
        for choice in question.choices or []:
            label = choice_label(choice)
            labels.append(
                {
                    "value": choice_values([choice])[0],
                    "label": str(label),
                    "language": label.language,
                }
            )
        return labels

    def get_text(self, question) -> str:
        return translated(question.text, question.text_i18n)

    def get_help(self, question) -> str:
        return translated(question.help, question.help_i18n)


class ChecklistSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "mission", "stage", "version", "is_current", "questions"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FindingPhoto
        fields = ["id", "content_type", "size", "url", "created_at"]

    def get_url(self, photo) -> str:
        return reverse("photo-detail", kwargs={"pk": photo.pk})


class FindingSerializer(serializers.ModelSerializer):
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "category",
            "severity",
            "description",
            "review_status",
            "review_reason",
            "photos",
        ]


class VisitSerializer(serializers.ModelSerializer):
    station_code = serializers.CharField(source="station.code", read_only=True)
    team_code = serializers.CharField(source="team.code", read_only=True, default=None)
    observer_name = serializers.CharField(source="observer.full_name", read_only=True)
    arrived_at = serializers.SerializerMethodField()
    departed_at = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answers = serializers.JSONField()
    flags = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_uuid",
            "mission",
            "station",
            "station_code",
            "checklist",
            "stage",
            "observer",
            "observer_name",
            "team",
            "team_code",
            "arrived_at",
            "departed_at",
            "voters_so_far",
            "assessment",
            "answers",
            "findings",
            "notes",
            "status",
            "flags",
            "review_reason",
            "reviewed_at",
            "created_at",
        ]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_arrived_at(self, visit) -> str:
        return visit.arrived_at.astimezone(visit.mission.tzinfo).isoformat()

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_departed_at(self, visit) -> str | None:
        if visit.departed_at is None:
            return None
        return visit.departed_at.astimezone(visit.mission.tzinfo).isoformat()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    )
    def get_flags(self, visit) -> list:
        return flags_for_reader(visit.flags)


_datetime_field = serializers.DateTimeField()


def visit_data(visit) -> dict:
    """``VisitSerializer(visit).data`` built directly, for the answer to a visit POST.

    The POST is the hottest path of the product and DRF builds a ModelSerializer's fields
    afresh on every instantiation (about 2.5 ms of CPU a visit on the benchmark machine).
    ``tests/observation/test_visit_data.py`` holds this equal to the serializer's output.
    Expects ``mission``, ``station``, ``team``, ``observer`` and ``findings__photos`` loaded.
    """
    tz = visit.mission.tzinfo
    to_datetime = _datetime_field.to_representation
    findings = []
    for finding in visit.findings.all():
        photos = list(finding.photos.all())
        findings.append(
            {
                "id": finding.pk,
                "visit": visit.pk,
                "category": finding.category,
                "severity": finding.severity,
                "description": finding.description,
                "review_status": finding.review_status,
                "review_reason": finding.review_reason,
                "photos": PhotoSerializer(photos, many=True).data if photos else [],
            }
        )
    return {
        "id": visit.pk,
        "client_uuid": str(visit.client_uuid),
        "mission": visit.mission_id,
        "station": visit.station_id,
        "station_code": visit.station.code,
        "checklist": visit.checklist_id,
        "stage": visit.stage,
        "observer": visit.observer_id,
        "observer_name": visit.observer.full_name,
        "team": visit.team_id,
        "team_code": visit.team.code if visit.team_id else None,
        "arrived_at": visit.arrived_at.astimezone(tz).isoformat(),
        "departed_at": visit.departed_at.astimezone(tz).isoformat() if visit.departed_at else None,
        "voters_so_far": visit.voters_so_far,
        "assessment": visit.assessment,
        "answers": visit.answers,
        "findings": findings,
        "notes": visit.notes,
        "status": visit.status,
        "flags": flags_for_reader(visit.flags),
        "review_reason": visit.review_reason,
        "reviewed_at": to_datetime(visit.reviewed_at) if visit.reviewed_at else None,
        "created_at": to_datetime(visit.created_at) if visit.created_at else None,
    }


# --- Request bodies, for the OpenAPI schema -----------------------------------------------


class FindingInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=FindingCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class VisitInputSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(
        help_text="Made once per visit on the phone; retries send the same one."
    )
    station = serializers.IntegerField(required=False, help_text="The station id ...")
    station_code = serializers.CharField(required=False, help_text="... or its code.")
    checklist = serializers.IntegerField(help_text="The checklist answered; gives the stage.")
    arrived_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    departed_at = serializers.DateTimeField(required=False, allow_null=True)
    voters_so_far = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    assessment = serializers.ChoiceField(
        choices=Assessment.choices, required=False, allow_null=True
    )
    answers = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text='{"V01": true, "V02": 3}'
    )
    findings = FindingInputSerializer(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class VisitReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[VisitStatus.VERIFIED, VisitStatus.REJECTED])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class FindingReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="A JPEG or PNG of at most 10 MB.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
