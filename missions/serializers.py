from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .access import role_in
from .languages import languages_clean
from .models import Mission, Observer, PollingStation
from .report_due import REPORT_STAGES, report_due_clean, report_due_times


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "07:00",
        "description": "A clock time of the mission's timezone, HH:MM (HH:MM:SS accepted).",
    }
)
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as API.md writes it, ``"07:00"``.

    OpenAPI's ``format: time`` is RFC 3339's full-time (seconds and an offset), which a
    client validating the answer would reject; the schema gives the pattern instead.
    """

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            stage: {
                "type": "string",
                "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                "nullable": True,
            }
            for stage in REPORT_STAGES
        },
        "additionalProperties": False,
        "example": {"OPENING": "08:00", "VOTING": "14:00", "CLOSING": "20:30", "COUNTING": "23:59"},
        "description": "The local time by which each team is expected to have sent at least one "
        "report of a stage. Stages left out keep their value; null resets one to its default.",
    }
)
class ReportDueField(serializers.Field):
    """``report_due``: every stage's due time out, the stages to change in."""

    def to_representation(self, mission):
        return report_due_times(mission=mission)

    def get_attribute(self, instance):
        return instance

    def to_internal_value(self, data):
        from django.core.exceptions import ValidationError

        try:
            return report_due_clean(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class LanguagesField(serializers.ListField):
    child = serializers.CharField(max_length=20)

    def to_internal_value(self, data):
        from django.core.exceptions import ValidationError

        try:
            return languages_clean(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class MissionSerializer(serializers.ModelSerializer):
    polls_open = ClockTimeField()
    polls_close = ClockTimeField()
    role = serializers.SerializerMethodField()
    report_due = ReportDueField(required=False)
    languages = LanguagesField(
        required=False,
        help_text="The mission's languages; the first is the default for its observers.",
    )
    copy_from = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="On creation: the id of an earlier mission the caller coordinates, whose "
        "current checklists, teams and candidates the new mission copies.",
    )
    required_languages = LanguagesField(
        required=False,
        help_text="Some of the mission's languages: a checklist without a text in each of "
        "them (question, help, choices) cannot go live. English, the checklists' own "
        "language, need not be named.",
    )

    class Meta:
        model = Mission
        fields = [
            "id",
            "name",
            "country",
            "election_date",
            "timezone",
            "polls_open",
            "polls_close",
            "registered_voters",
            "report_due",
            "languages",
            "required_languages",
            "role",
            "copy_from",
        ]
        read_only_fields = ["id", "role"]

    def get_role(self, mission) -> str | None:
        request = self.context.get("request")
        return role_in(user=request.user, mission_id=mission.pk) if request else None

    def validate_country(self, value):
        value = value.upper()
        if len(value) != 2 or not value.isalpha():
            raise serializers.ValidationError(_("Use an ISO 3166-1 alpha-2 code such as KZ."))
        return value

    def validate_copy_from(self, value):
        if self.instance is not None:
            raise serializers.ValidationError("Only a new mission copies another one.")
        return value

    def validate(self, attrs):
        opens = attrs.get("polls_open", getattr(self.instance, "polls_open", None))
        closes = attrs.get("polls_close", getattr(self.instance, "polls_close", None))
        if opens and closes and opens >= closes:
            raise serializers.ValidationError({"polls_close": ["Must be after polls_open."]})
        return attrs


class StationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)
    region_code = serializers.CharField(source="region.code", read_only=True)
    district = serializers.CharField(source="district.name", read_only=True, default=None)
    district_code = serializers.CharField(source="district.code", read_only=True, default=None)

    class Meta:
        model = PollingStation
        fields = [
            "id",
            "code",
            "name",
            "region",
            "region_code",
            "district",
            "district_code",
            "registered_voters",
            "latitude",
            "longitude",
            "urban",
            "abroad",
        ]


class ObserverSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    team = serializers.CharField(source="team.code", read_only=True, default=None)

    class Meta:
        model = Observer
        fields = [
            "id",
            "username",
            "full_name",
            "organisation",
            "nationality",
            "role",
            "team",
            "languages",
        ]
