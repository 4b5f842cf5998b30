"""Writes for reports by SMS: an inbound message becomes a visit through ``visit_submit`` (the
visit API's own service, so the same checks), and every message in and out is logged.

``sms_receive`` is what both webhooks and the coordinators' simulator call. The gateway's
message id makes it idempotent: the first delivery inserts the inbound row (unique per
gateway and id) before anything else, so a retry, even a concurrent one, waits for it and
gets the reply kept with it; the visit's ``client_uuid`` is derived from the same id.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from missions.audit import audit_record
from missions.languages import mission_language, observer_language

from ..models import Checklist, SmsDirection, SmsGateway, SmsMessage, SmsNumber, SmsStatus, Visit
from ..services import VisitConflict, VisitInvalid, visit_submit
from . import gateways, replies, selectors
from .parsing import payload_build, sms_tokenise
from .tasks import sms_deliver_task

logger = logging.getLogger(__name__)

# uuid5 namespace of visits reported by SMS: client_uuid = uuid5(SMS_NAMESPACE, "GATEWAY:id").
SMS_NAMESPACE = uuid.UUID("0b5c7a52-6d0e-4d8f-9a51-3c2f0e7d9b41")


def sms_client_uuid(*, gateway: str, message_id: str) -> uuid.UUID:
    return uuid.uuid5(SMS_NAMESPACE, f"{gateway}:{message_id}")


@dataclass(frozen=True)
class Outcome:
    status: str
    reply: str
    visit: Visit | None = None
    problems: dict | None = None


def _report(*, observer, text, gateway, message_id, now) -> tuple[Outcome, str]:
    """Read the message as a visit and submit it; the outcome and the reply's language."""
    language = observer_language(observer=observer)
    mission = observer.mission
    tokens = sms_tokenise(text)
    schema = selectors.checklist_for_keyword(mission=mission, keyword=tokens.keyword)
    payload, readings = payload_build(
        tokens=tokens,
        schema=schema,
        station_code=selectors.station_code_resolve(mission=mission, written=tokens.station),
        arrived_at=now.astimezone(mission.tzinfo).isoformat(),
        client_uuid=str(sms_client_uuid(gateway=gateway, message_id=message_id)),
    )
    try:
        visit, _created = visit_submit(observer=observer, payload=payload, now=now)
    except VisitInvalid as exc:
        reply = replies.reply_refused(
            errors=exc.errors,
            tokens=tokens,
            readings=readings,
            schema=schema,
            payload=payload,
            language=language,
        )
        return Outcome(SmsStatus.REFUSED, reply, problems=exc.errors), language
    except VisitConflict:
        # The visit of this very message id, stored by a delivery whose log row is gone.
        visit = Visit.objects.select_related("station").get(client_uuid=payload["client_uuid"])
    return Outcome(SmsStatus.STORED, replies.reply_stored(visit=visit), visit=visit), language


def sms_receive(
    *,
    gateway: str,
    message_id: str,
    sender: str,
    recipient: str,
    text: str,
    now,
    mission=None,
) -> SmsMessage:
    """Take one inbound SMS; return the reply (an outbound ``SmsMessage``, already logged).

    A valid report is stored as a visit (``OK <visit id> <station>``); an invalid one stores
    nothing and the reply names its problems; an unknown sender is told so and logged. The
    same ``message_id`` from the same gateway again returns the first reply, changing nothing.
    ``mission``: the message is for this mission, as if sent to one of its numbers (the
    simulator: a coordinator speaks for their own mission's observers only).
    """
    with transaction.atomic():
        existing = _inbound(gateway=gateway, message_id=message_id)
        if existing is not None:
            return existing.reply
        if mission is None:
            mission = selectors.mission_for_number(number=selectors.phone_e164(recipient))
        phone = selectors.phone_e164(sender, mission=mission)
        observer = selectors.observer_for_phone(phone=phone, mission=mission, now=now)
        inbound = SmsMessage(
            mission=observer.mission if observer else mission,
            direction=SmsDirection.IN,
            gateway=gateway,
            gateway_message_id=message_id,
            sender=phone,
            recipient=recipient,
            text=text,
            status=SmsStatus.UNKNOWN_SENDER,
            observer=observer,
            created_at=now,
        )
        try:
            with transaction.atomic():
                inbound.save(force_insert=True)
        except IntegrityError:
            # A concurrent delivery of the same message committed first.
            return _inbound(gateway=gateway, message_id=message_id).reply

        if observer is None:
            if inbound.mission is None:
                station = sms_tokenise(text).station
                inbound.mission = selectors.mission_for_station_code(code=station)
            language = mission_language(mission=inbound.mission)
            outcome = Outcome(
                SmsStatus.UNKNOWN_SENDER, replies.reply_unknown_sender(language=language)
            )
            logger.info("SMS %s %s from unknown number %s", gateway, message_id, phone)
        else:
            outcome, language = _report(
                observer=observer, text=text, gateway=gateway, message_id=message_id, now=now
            )
        inbound.status = outcome.status
        inbound.visit = outcome.visit
        inbound.problems = outcome.problems or {}
        inbound.language = language
        inbound.save(update_fields=["mission", "status", "visit", "problems", "language"])
        return SmsMessage.objects.create(
            mission=inbound.mission,
            direction=SmsDirection.OUT,
            gateway=gateway,
            sender=recipient,
            recipient=phone,
            text=outcome.reply,
            status=SmsStatus.REPLIED,
            observer=observer,
            in_reply_to=inbound,
            language=language,
            created_at=now,
        )


def _inbound(*, gateway, message_id) -> SmsMessage | None:
    return (
        SmsMessage.objects.filter(
            direction=SmsDirection.IN, gateway=gateway, gateway_message_id=message_id
        )
        .select_related("reply")
        .first()
    )


# --- Sending ------------------------------------------------------------------------------


def sms_send(*, to: str, text: str, mission=None, observer=None, now=None) -> SmsMessage | None:
    """Send an SMS to ``to`` (E.164) through the configured gateway, after commit.

    Without a gateway (``gateways.send_configured()`` false) it does nothing and returns None:
    the SMS page says that no gateway is configured. Otherwise the message is logged as
    QUEUED and a worker sends it (``tasks.sms_deliver_task``), then marks it SENT or FAILED.
    """
    if not gateways.send_configured():
        return None
    message = SmsMessage.objects.create(
        mission=mission,
        direction=SmsDirection.OUT,
        gateway=SmsGateway.TWILIO,
        sender=settings.SMS_FROM,
        recipient=to,
        text=text,
        status=SmsStatus.QUEUED,
        observer=observer,
        created_at=now or timezone.now(),
    )
    transaction.on_commit(partial(_enqueue_delivery, message.pk))
    return message


def _enqueue_delivery(message_id: int) -> None:
    try:
        sms_deliver_task.delay(message_id=message_id)
    except Exception:  # a broker that is down must not fail the request that committed
        logger.exception("SMS %s: could not enqueue its delivery; it stays QUEUED", message_id)


# --- Settings ------------------------------------------------------------------------------


KEYWORD = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


class SmsSettingsInvalid(Exception):
    """``errors``: ``{"numbers": [...], "<checklist id>": [...]}``, what to fix."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _keywords_clean(*, checklists: dict, keywords: dict) -> dict[int, str]:
    """Each current checklist's keyword after the change; SmsSettingsInvalid if one is not a
    word, is another stage's name or is given twice."""
    wanted = {
        pk: (keywords.get(pk, checklist.sms_keyword) or "").strip().upper()
        for pk, checklist in checklists.items()
    }
    stages = {checklist.stage for checklist in checklists.values()}
    errors, seen = {}, {}
    for pk, word in wanted.items():
        if not word:
            continue
        if not KEYWORD.match(word):
            errors[pk] = [
                _("%(word)s: use a letter, then up to 15 letters or digits.") % {"word": word}
            ]
        elif word in stages and word != checklists[pk].stage:
            errors[pk] = [_("%(word)s already names another stage.") % {"word": word}]
        elif word in seen:
            errors[pk] = [_("%(word)s is already another checklist's keyword.") % {"word": word}]
        seen[word] = pk
    if errors:
        raise SmsSettingsInvalid(errors)
    return wanted


def sms_settings_update(
    *, mission, numbers: list[str], keywords: dict[int, str], actor, now
) -> None:
    """Set the numbers the mission receives SMS on and its checklists' keywords, audited.

    ``numbers`` are E.164 (``forms.SmsSettingsForm`` normalises them); ``keywords`` maps the
    id of a current checklist of the mission to its keyword ("" for none; others unchanged).
    """
    with transaction.atomic():
        checklists = {
            c.pk: c
            for c in Checklist.objects.select_for_update().filter(mission=mission, is_current=True)
        }
        wanted = _keywords_clean(checklists=checklists, keywords=keywords)
        taken = sorted(
            SmsNumber.objects.filter(number__in=numbers)
            .exclude(mission=mission)
            .values_list("number", flat=True)
        )
        if taken:
            raise SmsSettingsInvalid(
                {
                    "numbers": [
                        _("%(number)s is another mission's number.") % {"number": n} for n in taken
                    ]
                }
            )
        before = {
            "numbers": selectors.sms_numbers(mission=mission),
            "keywords": {c.stage: c.sms_keyword for c in checklists.values()},
        }
        SmsNumber.objects.filter(mission=mission).exclude(number__in=numbers).delete()
        SmsNumber.objects.bulk_create(
            [SmsNumber(mission=mission, number=n) for n in numbers if n not in before["numbers"]]
        )
        changed = [c for pk, c in checklists.items() if c.sms_keyword != wanted[pk]]
        # Cleared first: a keyword may move from one checklist to another.
        Checklist.objects.filter(pk__in=[c.pk for c in changed]).update(sms_keyword="")
        for checklist in changed:
            checklist.sms_keyword = wanted[checklist.pk]
            checklist.save(update_fields=["sms_keyword"])
        after = {
            "numbers": selectors.sms_numbers(mission=mission),
            "keywords": {c.stage: c.sms_keyword for c in checklists.values()},
        }
        if after != before:
            audit_record(
                actor=actor,
                mission=mission,
                action="sms.settings",
                obj=mission,
                before=before,
                after=after,
                at=now,
            )
