"""``POST /api/v1/auth/token/``: DRF's token view, with login rate limiting.

django-axes records each failed attempt in the database. DRF marks the transaction for
rollback whenever it turns a raised ValidationError into a 400, which would roll the attempt
back with it and never lock anyone out. So this view answers bad credentials with a 400
without raising, and authenticates with the ``HttpRequest`` that axes annotates.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from common.parsing import JSONParser


class RateLimitedAuthTokenSerializer(AuthTokenSerializer):
    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(
            request=getattr(request, "_request", request),
            username=attrs.get("username"),
            password=attrs.get("password"),
        )
        if not user:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenView(ObtainAuthToken):
    serializer_class = RateLimitedAuthTokenSerializer
    # DRF's ObtainAuthToken names its own parsers; ours refuses JSON nested absurdly deep.
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
