"""Sending one queued SMS through the gateway: what the delivery task runs."""

import logging

from django.db import transaction

from ..models import SmsMessage, SmsStatus
from . import gateways

logger = logging.getLogger(__name__)


def sms_deliver(*, message_id: int) -> None:
    """Send one QUEUED message (idempotent: a message no longer QUEUED is left alone)."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .filter(pk=message_id, status=SmsStatus.QUEUED)
            .first()
        )
        if message is None:
            return
        try:
            message.gateway_message_id = gateways.twilio_send(
                to=message.recipient, text=message.text
            )
            message.status = SmsStatus.SENT
        except gateways.SmsSendFailed as exc:
            message.status, message.error = SmsStatus.FAILED, str(exc)
            logger.warning("SMS %s to %s failed: %s", message.pk, message.recipient, exc)
        message.save(update_fields=["gateway_message_id", "status", "error"])
