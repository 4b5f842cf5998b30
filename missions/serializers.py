from rest_framework import serializers

from .models import Mission, Observer, PollingStation


class MissionSerializer(serializers.ModelSerializer):
    polls_open = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])
    polls_close = serializers.TimeField(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"])
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
        from .access import role_in

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
