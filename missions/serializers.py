from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .access import role_in
from .models import Mission, Observer, PollingStation


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


class MissionSerializer(serializers.ModelSerializer):
    polls_open = ClockTimeField()
    polls_close = ClockTimeField()
    role = serializers.SerializerMethodField()

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
            "role",
        ]
        read_only_fields = ["id", "role"]

    def get_role(self, mission) -> str | None:
        request = self.context.get("request")
        return role_in(user=request.user, mission_id=mission.pk) if request else None

    def validate_country(self, value):
        value = value.upper()
        if len(value) != 2 or not value.isalpha():
            raise serializers.ValidationError("Use an ISO 3166-1 alpha-2 code such as KZ.")
        return value

    def validate(self, attrs):
        if attrs.get("polls_open") and attrs.get("polls_close"):
            if attrs["polls_open"] >= attrs["polls_close"]:
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
