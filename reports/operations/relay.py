"""The SMS copies of a message to observers, sent by a worker (``tasks.sms_relay_task``).

A message reaches every recipient's phone pages when it is saved; with an SMS gateway
configured, each recipient with a phone also gets it by SMS, in their own language (their
account's, else their import's first, else the mission's default). Without a gateway
``sms_send`` sends nothing. A worker does it, not the coordinator's request: 2,000
recipients are 2,000 SMS log rows and as many deliveries.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from missions.languages import mission_language, observer_language
from missions.models import Observer
from observation.sms.services import sms_send

from ..models import ObserverMessage
from .selectors import message_text


def sms_relay(*, message_id: int) -> int:
    """Log and queue one SMS per recipient with a phone; the number queued."""
    message = ObserverMessage.objects.select_related("mission").filter(pk=message_id).first()
    if message is None:
        return 0
    observers = (
        Observer.objects.filter(message_deliveries__message=message)
        .exclude(phone="")
        # "" without a profile: no query per observer for their account's language.
        .annotate(account_language=Coalesce(F("user__profile__language"), Value("")))
        .only("id", "phone", "languages", "mission_id")
        .order_by("id")
    )
    default_language = mission_language(mission=message.mission)
    queued = 0
    with transaction.atomic():
        for observer in observers.iterator(chunk_size=500):
            language = observer_language(
                observer=observer, account=observer.account_language, mission=message.mission
            )
            text = message_text(
                message=message, languages=[language], default_language=default_language
            )
            sent = sms_send(
                to=observer.phone,
                text=text,
                mission=message.mission,
                observer=observer,
                now=message.sent_at,
            )
            queued += sent is not None
    return queued
