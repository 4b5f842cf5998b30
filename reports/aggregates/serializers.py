from django.utils import timezone
from rest_framework import serializers

from common.parsing import YEARS, moment, moment_outside_years
from observation.models import Stage
from reports.models import AggregateLevel


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset (API.md: without one it is a 400)."""

    def to_internal_value(self, value):
        # common.parsing: ASCII only, a year of this era ("9999-12-31T23:00-05:00" overflows).
        parsed = moment(value)
        if parsed is None:
            if moment_outside_years(value):
                raise serializers.ValidationError(
                    f"Give a time between the years {YEARS[0]} and {YEARS[1]}, with its UTC offset."
                )
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss]+HH:MM")
        if timezone.is_naive(parsed):
            raise serializers.ValidationError(
                "Give the time with its UTC offset, e.g. 2022-11-20T10:00:00+06:00."
            )
        return super().to_internal_value(value)


class AggregateQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AggregateLevel.values, default="region")


class AssessmentQuerySerializer(AggregateQuerySerializer):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)


class AreaRowSerializer(serializers.Serializer):
    area_code = serializers.CharField()
    area_name = serializers.CharField()


class TurnoutRowSerializer(AreaRowSerializer):
    bucket_end = serializers.DateTimeField()
    stations_reporting = serializers.IntegerField()
    voters = serializers.IntegerField()
    registered = serializers.IntegerField()
    turnout_pct = serializers.FloatField()


class AssessmentRowSerializer(AreaRowSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    very_good = serializers.IntegerField()
    good = serializers.IntegerField()
    bad = serializers.IntegerField()
    very_bad = serializers.IntegerField()
    total = serializers.IntegerField()
    negative_pct = serializers.FloatField()
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField()


class FindingRowSerializer(AreaRowSerializer):
    category = serializers.CharField()
    severity = serializers.CharField()
    count = serializers.IntegerField()


class CoverageRowSerializer(AreaRowSerializer):
    stations_total = serializers.IntegerField()
    stations_visited = serializers.IntegerField()
    visits = serializers.IntegerField()


class OfficialTurnoutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    level = serializers.CharField(read_only=True)
    area_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text='An area code of the mission; "ALL" or null for the national figure.',
    )
    area_name = serializers.CharField(read_only=True)
    at = AwareDateTimeField(help_text="The time the figure stands for, with its UTC offset.")
    turnout_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, coerce_to_string=False
    )


def aggregate_response(row_serializer, name, *, official=False):
    """The documented shape of an aggregates answer: ``{"as_of", "rows"}``."""
    fields = {
        "as_of": serializers.DateTimeField(allow_null=True),
        "rows": row_serializer(many=True),
    }
    if official:
        fields["official"] = OfficialTurnoutSerializer(many=True)
    return type(name, (serializers.Serializer,), fields)
