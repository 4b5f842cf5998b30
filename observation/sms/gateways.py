"""The SMS gateways: Twilio through its own library (signatures, TwiML, the REST API), and
the shared secret of the generic JSON webhook.

Settings (README, Configuration): ``SMS_TWILIO_AUTH_TOKEN`` checks Twilio's signatures;
``SMS_TWILIO_ACCOUNT_SID`` with the token and ``SMS_FROM`` lets ``sms_send`` send through
Twilio's REST API; ``SMS_INBOUND_SECRET`` is the ``X-SMS-Secret`` of other gateways;
``SMS_TWILIO_WEBHOOK_URL``, when set, is the public URL Twilio signs (behind a proxy that
rewrites the host); otherwise the URL the request arrived at.
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare
from requests import RequestException
from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

SIGNATURE_HEADER = "X-Twilio-Signature"
SECRET_HEADER = "X-SMS-Secret"
SEND_TIMEOUT_SECONDS = 15


class SmsSendFailed(Exception):
    """The gateway refused or could not be reached; the message says why."""


def twilio_signature_valid(*, url: str, params, signature: str | None) -> bool:
    """Is ``signature`` Twilio's signature of this request with our auth token?

    False when no token is configured: then no request can pass for Twilio's."""
    token = settings.SMS_TWILIO_AUTH_TOKEN
    if not token or not signature:
        return False
    return RequestValidator(token).validate(url, params, signature)


def twilio_webhook_url(request) -> str:
    return settings.SMS_TWILIO_WEBHOOK_URL or request.build_absolute_uri()


def inbound_secret_valid(secret: str | None) -> bool:
    expected = settings.SMS_INBOUND_SECRET
    return bool(expected) and bool(secret) and constant_time_compare(secret, expected)


def twiml_reply(text: str) -> str:
    """``<Response><Message>text</Message></Response>``, escaped by Twilio's own builder."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def send_configured() -> bool:
    """Can we send SMS (Twilio's REST API with an account, a token and a sender number)?"""
    return bool(
        settings.SMS_TWILIO_ACCOUNT_SID and settings.SMS_TWILIO_AUTH_TOKEN and settings.SMS_FROM
    )


def twilio_send(*, to: str, text: str) -> str:
    """Send one SMS through Twilio's REST API; its message sid. Raises SmsSendFailed."""
    from twilio.http.http_client import TwilioHttpClient

    client = Client(
        settings.SMS_TWILIO_ACCOUNT_SID,
        settings.SMS_TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS),
    )
    try:
        message = client.messages.create(to=to, from_=settings.SMS_FROM, body=text)
    except (TwilioException, RequestException) as exc:
        raise SmsSendFailed(str(exc)[:1000]) from exc
    return message.sid
