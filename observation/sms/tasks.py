"""Celery task of reports by SMS. Thin: one service call by id (registered in
``observation.apps``, since autodiscovery only finds ``observation.tasks``)."""

from celery import shared_task

from .delivery import sms_deliver


@shared_task(name="observation.sms.deliver", soft_time_limit=30, time_limit=45)
def sms_deliver_task(*, message_id: int, **kwargs) -> None:
    """Send one QUEUED SMS through the gateway (``delivery.sms_deliver``, idempotent)."""
    sms_deliver(message_id=message_id)
