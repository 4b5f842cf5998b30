"""The SMS webhooks of API.md ("SMS reports"): Twilio's, and a generic JSON one for other
gateways (RapidPro/TextIt, Telerivet, a modem bridge). Both call ``services.sms_receive``, as
the coordinators' simulator does.

Gateways are not users: no session and no token, so no CSRF either (DRF enforces CSRF only
with session authentication). A request must prove it comes from the gateway instead:
Twilio's ``X-Twilio-Signature`` (checked by Twilio's own ``RequestValidator``) or the shared
``X-SMS-Secret``. A missing or wrong one is a 403 before anything is read or stored.
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import SmsGateway
from . import gateways, services

MAX_TEXT = 1600  # Twilio's longest message: 10 segments


class TwilioSigned(BasePermission):
    message = "The X-Twilio-Signature header is missing or is not Twilio's signature."

    def has_permission(self, request, view):
        signature = request.headers.get(gateways.SIGNATURE_HEADER)
        if not signature:
            return False
        return gateways.twilio_signature_valid(
            url=gateways.twilio_webhook_url(request), params=request.data, signature=signature
        )


class SharedSecret(BasePermission):
    message = "The X-SMS-Secret header is missing or wrong."

    def has_permission(self, request, view):
        return gateways.inbound_secret_valid(request.headers.get(gateways.SECRET_HEADER))


class TwilioMessageSerializer(serializers.Serializer):
    MessageSid = serializers.CharField(max_length=100)
    From = serializers.CharField(max_length=64)
    To = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    Body = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default="", trim_whitespace=False
    )


class InboundMessageSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="The gateway's message id")
    to = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: the field is declared here.
        fields["from"] = serializers.CharField(max_length=64, help_text="The sender, E.164")
        return fields


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()


FORBIDDEN = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Missing or wrong signature or secret; nothing stored: {"detail": "..."}',
)
SIGNATURE = OpenApiParameter(
    gateways.SIGNATURE_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Twilio's signature of the URL and parameters, by SMS_TWILIO_AUTH_TOKEN",
)
SECRET = OpenApiParameter(
    gateways.SECRET_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The shared secret SMS_INBOUND_SECRET",
)
BAD_INPUT = OpenApiResponse(response=OpenApiTypes.OBJECT, description='{"field": ["..."]}')


class TwilioWebhook(APIView):
    authentication_classes = []
    permission_classes = [TwilioSigned]
    parser_classes = [FormParser]

    @extend_schema(
        request=TwilioMessageSerializer,
        parameters=[SIGNATURE],
        responses={
            (200, "text/xml"): OpenApiResponse(
                OpenApiTypes.STR, description="TwiML: <Response><Message>reply</Message>"
            ),
            400: BAD_INPUT,
            403: FORBIDDEN,
        },
        auth=[],
    )
    def post(self, request):
        """Twilio's inbound-message webhook: a report by SMS, answered in TwiML."""
        body = TwilioMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reply = services.sms_receive(
            gateway=SmsGateway.TWILIO,
            message_id=data["MessageSid"],
            sender=data["From"],
            recipient=data["To"],
            text=data["Body"],
            now=timezone.now(),
        )
        return HttpResponse(gateways.twiml_reply(reply.text), content_type="text/xml")


class InboundWebhook(APIView):
    authentication_classes = []
    permission_classes = [SharedSecret]
    parser_classes = [JSONParser]

    @extend_schema(
        request=InboundMessageSerializer,
        parameters=[SECRET],
        responses={200: ReplySerializer, 400: BAD_INPUT, 403: FORBIDDEN},
        auth=[],
    )
    def post(self, request):
        """Any other gateway's inbound message (``X-SMS-Secret``); the reply to send back."""
        body = InboundMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reply = services.sms_receive(
            gateway=SmsGateway.INBOUND,
            message_id=data["id"],
            sender=data["from"],
            recipient=data["to"],
            text=data["text"],
            now=timezone.now(),
        )
        return Response({"reply": reply.text})
