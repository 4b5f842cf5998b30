"""The missions part of the public API (API.md: missions, stations, observers)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView

from .access import STAFF_ROLES, may_create_missions, mission_for, missions_for, role_in
from .models import MemberRole, Observer, PollingStation
from .serializers import MissionSerializer, ObserverSerializer, StationSerializer
from .services import mission_create, mission_update

MISSION_READERS = (*STAFF_ROLES, MemberRole.OBSERVER)


class MayCreate(permissions.BasePermission):
    """Platform staff and the coordinators of any mission create missions."""

    message = "Only platform staff and mission coordinators may create missions."

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "create":
            return may_create_missions(user=request.user)
        return True


class MissionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MissionSerializer
    permission_classes = [permissions.IsAuthenticated, MayCreate]
    # PATCH changes what it is given (the set-up fields of API.md round 2); no PUT.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # The press sees a mission's published briefings and nothing else of it.
        return missions_for(user=self.request.user, roles=MISSION_READERS).order_by(
            "-election_date", "id"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        copy_from = data.pop("copy_from", None)
        serializer.instance = mission_create(
            user=self.request.user, data=data, now=timezone.now(), copy_from=copy_from
        )

    def update(self, request, *args, **kwargs):
        """Change the mission's set-up (coordinators): also ``report_due`` and ``languages``."""
        mission = self.get_object()  # 404 for whoever may not see it
        if role_in(user=request.user, mission_id=mission.pk) != MemberRole.COORDINATOR:
            raise PermissionDenied("Only the mission's coordinators may change it.")
        serializer = self.get_serializer(mission, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        mission_update(
            mission=mission, actor=request.user, data=serializer.validated_data, now=timezone.now()
        )
        return self.retrieve(request, *args, **kwargs)


class StationFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_area", field_name="region")
    district = django_filters.CharFilter(method="filter_area", field_name="district")
    code = django_filters.CharFilter(field_name="code")

    class Meta:
        model = PollingStation
        fields = ["region", "district", "code"]

    def filter_area(self, queryset, name, value):
        """Match an area by its code or its name, so both spreadsheet habits work."""
        return queryset.filter(Q(**{f"{name}__code": value}) | Q(**{f"{name}__name": value}))


class MissionScopedList(ListAPIView):
    """A list of one mission's objects, visible to the roles in ``roles``."""

    roles = STAFF_ROLES

    def get_mission(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return None
        if not hasattr(self, "_mission"):
            self._mission = mission_for(
                user=self.request.user, mission_id=self.kwargs["mission_id"], roles=self.roles
            )
        return self._mission


class StationList(MissionScopedList):
    serializer_class = StationSerializer
    filterset_class = StationFilter
    roles = MISSION_READERS

    def get_queryset(self):
        return (
            PollingStation.objects.filter(mission=self.get_mission())
            .select_related("region", "district")
            .order_by("code", "id")
        )


class ObserverList(MissionScopedList):
    serializer_class = ObserverSerializer
    roles = STAFF_ROLES
    filterset_fields = ["role", "nationality"]

    def get_queryset(self):
        return (
            Observer.objects.filter(mission=self.get_mission())
            .select_related("user", "organisation", "team")
            .order_by("full_name", "id")
        )
