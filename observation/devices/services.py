"""Device tokens: the API token an observer's phone carries, handed over as a QR code."""

import datetime as dt

from django.db import transaction
from rest_framework.authtoken.models import Token

from missions.audit import audit_record
from missions.models import MemberRole, Observer

DEVICE_PATH = "/observe/device/"


def device_login_url(*, server: str, token: str) -> str:
    """The address the QR code carries: the server's device page with the token.

    The token travels in the fragment, which browsers never send to a server nor put in a
    Referer header, so it stays out of access logs; the device page reads it in script.
    """
    return f"{server.rstrip('/')}{DEVICE_PATH}#token={token}"


def observer_device_token_rotate(*, observer: Observer, actor, now) -> str:
    """Revoke the observer's token (a lost phone) and issue a new one; returns the new key."""
    with transaction.atomic():
        observer_token_revoke(observer=observer, actor=actor, now=now)
        return observer_token_issue(observer=observer, actor=actor, now=now)


def observer_for_device_token(*, key: str) -> Observer | None:
    """The observer profile behind a device token, or None if the key is no observer's."""
    key = (key or "").strip()
    # Tokens are 40 hexadecimal digits; anything else (a NUL character, which PostgreSQL
    # cannot even compare, made this page a 500) is no token.
    if not key or len(key) > 40 or not key.isascii() or not key.isalnum():
        return None
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return (
        Observer.objects.filter(
            user=token.user,
            mission__memberships__user=token.user,
            mission__memberships__role=MemberRole.OBSERVER,
        )
        .select_related("user", "mission")
        .order_by("-mission__election_date", "mission_id")
        .first()
    )


@transaction.atomic
def observer_token_issue(*, observer, actor, now: dt.datetime) -> str:
    """The observer's device token (the one their QR code carries): the same until revoked."""
    token, created = Token.objects.get_or_create(user=observer.user)
    audit_record(
        actor=actor,
        mission=observer.mission,
        action="observer.token_issue",
        obj=observer,
        after={"created": created},
        at=now,
    )
    return token.key


@transaction.atomic
def observer_token_revoke(*, observer, actor, now: dt.datetime) -> bool:
    """Revoke the observer's device token; the phone holding it gets 401 from then on."""
    deleted, _ = Token.objects.filter(user=observer.user).delete()
    audit_record(
        actor=actor,
        mission=observer.mission,
        action="observer.token_revoke",
        obj=observer,
        after={"revoked": bool(deleted)},
        at=now,
    )
    return bool(deleted)
