"""The mission's audit log through the API: the same events, filters and access as the page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView

from .. import selectors
from ..access import STAFF_ROLES, mission_for
from ..forms import AuditFilterForm
from ..models import AuditEvent
from .phrasing import audit_names, event_sentence


class AuditChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    before = serializers.JSONField(allow_null=True, help_text="Absent keys are null.")
    after = serializers.JSONField(allow_null=True, help_text="Absent keys are null.")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", default=None, allow_null=True, help_text="The username."
    )
    changes = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField(
        help_text="The event in one sentence, in the reader's language."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "reason",
            "summary",
            "before",
            "after",
            "changes",
        ]

    def get_summary(self, event) -> str:
        return event_sentence(event, self.context.get("names"))

    @extend_schema_field(AuditChangeSerializer(many=True))
    def get_changes(self, event) -> list[dict]:
        return [
            {"key": change["key"], "before": change["before"], "after": change["after"]}
            for change in selectors.audit_changes(before=event.before, after=event.after)
        ]


@extend_schema(
    parameters=[
        OpenApiParameter("action", OpenApiTypes.STR, description="Only this action"),
        OpenApiParameter("object_type", OpenApiTypes.STR, description="e.g. observation.visit"),
        OpenApiParameter("actor", OpenApiTypes.STR, description="Only this user's (username)"),
        OpenApiParameter(
            "from",
            OpenApiTypes.STR,
            description="From this day (in the mission's timezone) or time with an offset",
        ),
        OpenApiParameter(
            "to",
            OpenApiTypes.STR,
            description="To this day (included) or time with an offset",
        ),
    ]
)
class MissionAudit(ListAPIView):
    """The mission's audit events, newest first (coordinators and analysts)."""

    serializer_class = AuditEventSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return AuditEvent.objects.none()
        mission = mission_for(
            user=self.request.user, mission_id=self.kwargs["mission_id"], roles=STAFF_ROLES
        )
        form = AuditFilterForm(self.request.query_params, mission=mission)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {name: list(problems) for name, problems in form.errors.items()}
            )
        return selectors.audit_events(mission=mission, filters=form.filters())

    def list(self, request, *args, **kwargs):
        # The observers and teams the page's sentences name, looked up once for the page.
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "names": audit_names(page)}
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)
