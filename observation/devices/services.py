"""Device tokens: the API token an observer's phone carries, handed over as a QR code.

A device token acts as its observer in its observer's mission, and as nothing else of the
account (``common/authentication.py``): a coordinator of one mission cannot use it to read
another mission the same account belongs to. The database keeps only the token's SHA-256;
the key itself is shown once, in the answer that issues it (the QR page or
``POST /api/v1/observers/{id}/token/``). Issuing a new token replaces the old one, and
revoking or replacing a token also ends the browser session a phone started with it.
"""

import datetime as dt
import re
import secrets

import segno
from django.db import transaction
from django.db.models import F
from django.utils.safestring import mark_safe

from common.authentication import DEVICE_SESSION_KEY, token_digest
from missions.audit import audit_event, audit_record, audit_records
from missions.models import MemberRole, Observer

from ..models import DeviceToken

DEVICE_PATH = "/observe/device/"
_KEY = re.compile(r"[0-9a-f]{40}")


def device_login_url(*, server: str, token: str) -> str:
    """The address the QR code carries: the server's device page with the token.

    The token travels in the fragment, which browsers never send to a server nor put in a
    Referer header, so it stays out of access logs; the device page reads it in script.
    """
    return f"{server.rstrip('/')}{DEVICE_PATH}#token={token}"


def device_qr_svg(*, url: str, title: str):
    """The QR code of a device login address as inline SVG that scales with its box (CSS
    gives its size). segno draws only paths from the data, so the SVG carries no text to
    escape but ``title``, which segno escapes."""
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=6, omitsize=True, title=title))  # noqa: S308


def device_key_text(key: str) -> str:
    """The key as a person types it off a card: groups of eight (``device_key`` reads it back
    whatever spaces it keeps)."""
    return " ".join(key[i : i + 8] for i in range(0, len(key), 8))


@transaction.atomic
def observer_token_issue(*, observer: Observer, actor, now: dt.datetime) -> str:
    """A new device token for the observer, replacing any earlier one (whose phone is logged
    out). Returns the key: it is not stored, so this is the only time anyone sees it."""
    return observer_tokens_issue(observers=[observer], actor=actor, now=now)[observer.pk]


@transaction.atomic
def observer_tokens_issue(*, observers: list[Observer], actor, now: dt.datetime) -> dict[int, str]:
    """New device tokens for ``observers`` (one mission's), each replacing the observer's
    earlier one (whose phone is logged out), audited one event per observer. Returns
    ``{observer id: key}``: the keys are not stored, so this is the only time anyone sees
    them. A fixed number of queries however many observers (a sheet of QR cards)."""
    keys = {observer.pk: secrets.token_hex(20) for observer in observers}
    # Two coordinators printing the same cards at once: the second waits for the first's
    # codes and replaces them, rather than colliding with them (one token per observer).
    list(
        Observer.objects.select_for_update()
        .filter(pk__in=list(keys))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    had = set(
        DeviceToken.objects.filter(observer_id__in=list(keys)).values_list("observer_id", flat=True)
    )
    DeviceToken.objects.filter(observer_id__in=list(keys)).delete()
    DeviceToken.objects.bulk_create(
        DeviceToken(
            observer=observer,
            digest=token_digest(keys[observer.pk]),
            created_at=now,
            created_by=actor,
        )
        for observer in observers
    )
    audit_records(
        [
            audit_event(
                actor=actor,
                mission=observer.mission,
                action="observer.token_issue",
                obj=observer,
                after={"replaced": observer.pk in had},
                at=now,
            )
            for observer in observers
        ]
    )
    return keys


@transaction.atomic
def observer_token_revoke(*, observer: Observer, actor, now: dt.datetime) -> bool:
    """Revoke the observer's device token: the phone holding it gets 401 from then on, and
    its browser session ends."""
    deleted, _ = DeviceToken.objects.filter(observer=observer).delete()
    audit_record(
        actor=actor,
        mission=observer.mission,
        action="observer.token_revoke",
        obj=observer,
        after={"revoked": bool(deleted)},
        at=now,
    )
    return bool(deleted)


def observer_device_token(*, observer: Observer) -> DeviceToken | None:
    """The observer's current device token (its key is not known any more), or None."""
    return DeviceToken.objects.filter(observer=observer).select_related("created_by").first()


def observer_for_device_token(*, key: str) -> Observer | None:
    """The observer profile behind a device token, or None if the key is no observer's."""
    key = device_key(key)
    # Keys are 40 hexadecimal digits; anything else (a NUL character, which PostgreSQL
    # cannot even compare, made this page a 500) is no key.
    if not _KEY.fullmatch(key):
        return None
    return (
        Observer.objects.filter(
            device_token__digest=token_digest(key),
            user__is_active=True,
            mission__memberships__user=F("user"),
            mission__memberships__role=MemberRole.OBSERVER,
        )
        .select_related("user", "mission")
        .first()
    )


def device_key(typed: str) -> str:
    """A key as typed or scanned: the spaces a card groups it with (and any other) left out."""
    return "".join((typed or "").split()).lower()


def device_session_start(*, request, key: str) -> None:
    """Tie the session just logged in with a device token to that token."""
    request.session[DEVICE_SESSION_KEY] = token_digest(device_key(key))
