"""The aggregates part of the public API (API.md: Aggregates), and official turnout."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from common.pagination import PageSizePagination, paginated_schema
from missions.access import STAFF_ROLES, mission_for, role_in
from missions.models import MemberRole
from reports.aggregates import selectors
from reports.aggregates.serializers import (
    AggregateQuerySerializer,
    AssessmentQuerySerializer,
    AssessmentRowSerializer,
    CoverageRowSerializer,
    FindingRowSerializer,
    OfficialTurnoutSerializer,
    TurnoutRowSerializer,
    aggregate_response,
)
from reports.aggregates.services import official_turnout_create, official_turnout_delete
from reports.models import AggregateLevel, OfficialTurnout

LEVEL_PARAMETER = OpenApiParameter(
    "level", str, enum=AggregateLevel.values, default="region", description="Area level."
)


class AggregateView(APIView):
    """One aggregate of one mission, for its coordinators and analysts."""

    query_serializer = AggregateQuerySerializer

    def rows(self, mission, query) -> dict:
        raise NotImplementedError

    def get(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            {
                "as_of": selectors.aggregates_as_of(mission=mission),
                **self.rows(mission, query.validated_data),
            }
        )


class TurnoutAggregate(AggregateView):
    @extend_schema(
        parameters=[LEVEL_PARAMETER],
        responses=aggregate_response(TurnoutRowSerializer, "TurnoutAggregate", official=True),
        summary="Observed turnout per area and clock hour, beside the official figures",
    )
    def get(self, request, mission_id):
        return super().get(request, mission_id)

    def rows(self, mission, query):
        level = query["level"]
        return {
            "rows": selectors.turnout_rows(mission=mission, level=level),
            "official": selectors.official_turnout_rows(mission=mission, level=level),
        }


class AssessmentAggregate(AggregateView):
    query_serializer = AssessmentQuerySerializer

    @extend_schema(
        parameters=[
            LEVEL_PARAMETER,
            OpenApiParameter(
                "stage", str, enum=AssessmentQuerySerializer().fields["stage"].choices
            ),
        ],
        responses=aggregate_response(AssessmentRowSerializer, "AssessmentAggregate"),
        summary="Overall assessments per area and stage with the 95% Wilson interval",
    )
    def get(self, request, mission_id):
        return super().get(request, mission_id)

    def rows(self, mission, query):
        return {
            "rows": selectors.assessment_rows(
                mission=mission, level=query["level"], stage=query.get("stage")
            )
        }


class FindingAggregate(AggregateView):
    @extend_schema(
        parameters=[LEVEL_PARAMETER],
        responses=aggregate_response(FindingRowSerializer, "FindingAggregate"),
        summary="Findings per area, category and severity",
    )
    def get(self, request, mission_id):
        return super().get(request, mission_id)

    def rows(self, mission, query):
        return {"rows": selectors.finding_rows(mission=mission, level=query["level"])}


class CoverageAggregate(AggregateView):
    @extend_schema(
        parameters=[LEVEL_PARAMETER],
        responses=aggregate_response(CoverageRowSerializer, "CoverageAggregate"),
        summary="Stations per area, stations visited and visits",
    )
    def get(self, request, mission_id):
        return super().get(request, mission_id)

    def rows(self, mission, query):
        return {"rows": selectors.coverage_rows(mission=mission, level=query["level"])}


def _coordinator_only(request, mission):
    if role_in(user=request.user, mission_id=mission.pk) != MemberRole.COORDINATOR:
        raise PermissionDenied("Only the mission's coordinators may change official figures.")


class OfficialTurnoutList(APIView):
    """The turnout the election commission announced: coordinators enter it, staff read it."""

    serializer_class = OfficialTurnoutSerializer

    @extend_schema(
        responses=paginated_schema(OfficialTurnoutSerializer, "PaginatedOfficialTurnoutList")
    )
    def get(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        paginator = PageSizePagination()
        page = paginator.paginate_queryset(
            selectors.official_turnout_rows(mission=mission), request, view=self
        )
        # Rows go out as the selector gives them: times in the mission's timezone.
        return paginator.get_paginated_response(page)

    @extend_schema(request=OfficialTurnoutSerializer, responses={201: OfficialTurnoutSerializer})
    def post(self, request, mission_id):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        _coordinator_only(request, mission)
        serializer = OfficialTurnoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        official = official_turnout_create(
            mission=mission,
            actor=request.user,
            area_code=serializer.validated_data["area_code"],
            at=serializer.validated_data["at"],
            percent=serializer.validated_data["turnout_pct"],
            now=timezone.now(),
        )
        (row,) = [
            r for r in selectors.official_turnout_rows(mission=mission) if r["id"] == official.pk
        ]
        return Response(row, status=status.HTTP_201_CREATED)


class OfficialTurnoutDetail(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, mission_id, pk):
        mission = mission_for(user=request.user, mission_id=mission_id, roles=STAFF_ROLES)
        official = get_object_or_404(OfficialTurnout, mission=mission, pk=pk)
        _coordinator_only(request, mission)
        official_turnout_delete(official=official, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
