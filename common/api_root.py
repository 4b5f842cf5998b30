from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiRoot(APIView):
    """Where to start: the version, the schema, the docs and the token endpoint."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict}, summary="Links to the schema, docs and token endpoint")
    def get(self, request):
        return Response(
            {
                "version": "v1",
                "schema": request.build_absolute_uri(reverse("schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
                "token": request.build_absolute_uri(reverse("auth-token")),
                "missions": request.build_absolute_uri(reverse("mission-list")),
            }
        )
