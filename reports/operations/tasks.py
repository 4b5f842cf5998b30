"""Celery task of the operations room. Thin: one service call by id."""

from celery import shared_task

from .relay import sms_relay


@shared_task(name="reports.operations.sms_relay", soft_time_limit=240, time_limit=300)
def sms_relay_task(*, message_id: int, **kwargs) -> None:
    """Send a message to observers by SMS too (``relay.sms_relay``)."""
    sms_relay(message_id=message_id)
