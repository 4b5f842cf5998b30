"""``Authorization: Token <key>``: a login token or a device token, in one raw statement.

Two kinds of key:
- a login token (``POST /api/v1/auth/token/``, DRF's ``authtoken`` table): the account;
- a device token (an observer's phone, the QR code; ``settings.DEVICE_TOKEN_MODEL``): it acts
  as that observer in that observer's mission only (``user.device_mission_id``, which
  ``missions.access`` honours), never as staff, and the database holds only its SHA-256
  (``token_digest``), so a copy of the database opens no phone.

Every API request of an observer's phone authenticates this way, the visit POST above all.
DRF resolves a key with ``Token.objects.select_related("user").get(key=...)``, whose ORM
query building cost ~1 ms of CPU per request on the benchmark machine (BENCHMARKS.md,
Ingest): here both kinds come from one prepared statement. Same answers as DRF (401 "Invalid
token." / "User inactive or deleted."), no caching: a revoked token fails at once.

A browser session started from a device token (the QR code's device page) is held to the
same rules by ``DeviceSessionMiddleware``, and ends when the token is revoked or replaced.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common.prepared import Statement

# The session key a device login stores its token's digest under.
DEVICE_SESSION_KEY = "device_token_digest"


def token_digest(key: str) -> str:
    """What is stored of a device token. Keys are 160 random bits: a plain SHA-256 is enough
    (nothing to guess), and survives a change of SECRET_KEY."""
    return hashlib.sha256(key.encode()).hexdigest()


def device_token_model():
    return apps.get_model(settings.DEVICE_TOKEN_MODEL)


def _select_list(model, alias) -> tuple[str, list[str]]:
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{f.column}"' for f in fields), [f.attname for f in fields]


def scope_to_device(user, *, mission_id: int, observer_id: int) -> None:
    """Make ``user`` act as one observer in one mission (for this request)."""
    user.device_mission_id = mission_id
    user.device_observer_id = observer_id
    user.is_staff = user.is_superuser = False
    if hasattr(user, "_mission_roles"):
        del user._mission_roles


class TokenAuthentication(authentication.TokenAuthentication):
    _sql = None

    @classmethod
    def _query(cls):
        if cls._sql is None:
            user_model = get_user_model()
            device = device_token_model()
            observer = device._meta.get_field("observer").related_model
            user_columns, user_names = _select_list(user_model, "u")
            user_pk = user_model._meta.pk.column
            token_user = Token._meta.get_field("user").column
            observer_user = observer._meta.get_field("user").column
            observer_mission = observer._meta.get_field("mission").column
            device_observer = device._meta.get_field("observer").column
            cls._sql = (
                Statement(
                    "token_user",
                    # Names from the models, values as parameters.
                    f"SELECT NULL::bigint, NULL::bigint, {user_columns} "  # noqa: S608
                    f"FROM {Token._meta.db_table} t "
                    f'JOIN {user_model._meta.db_table} u ON u."{user_pk}" = t."{token_user}" '
                    f'WHERE t."{Token._meta.pk.column}" = %(key)s '
                    f'UNION ALL SELECT o."{observer._meta.pk.column}", o."{observer_mission}", '
                    f"{user_columns} FROM {device._meta.db_table} d "
                    f'JOIN {observer._meta.db_table} o ON o."{observer._meta.pk.column}" '
                    f'= d."{device_observer}" '
                    f'JOIN {user_model._meta.db_table} u ON u."{user_pk}" = o."{observer_user}" '
                    f"WHERE d.digest = %(digest)s LIMIT 1",
                ),
                user_names,
            )
        return cls._sql

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:  # a custom token model: DRF's own lookup
            return super().authenticate_credentials(key)
        statement, user_names = self._query()
        db = router.db_for_read(Token)
        with connections[db].cursor() as cursor:
            statement.execute(cursor, {"key": key, "digest": token_digest(key)}, using=db)
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        observer_id, mission_id = row[0], row[1]
        user = get_user_model().from_db(db, user_names, row[2:])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if observer_id is None:
            return (user, Token(key=key, user=user))
        scope_to_device(user, mission_id=mission_id, observer_id=observer_id)
        return (user, device_token_model()(observer_id=observer_id, digest=token_digest(key)))


def _device_session_user(request, user):
    """The session's user, held to its device token; AnonymousUser once the token is gone."""
    authenticated = user.is_authenticated  # evaluates AuthenticationMiddleware's lazy user
    user = getattr(user, "_wrapped", user)
    digest = request.session.get(DEVICE_SESSION_KEY)
    if not digest or not authenticated:
        return user
    token = (
        device_token_model()
        .objects.filter(digest=digest, observer__user=user)
        .values_list("observer_id", "observer__mission_id")
        .first()
    )
    if token is None:  # revoked or replaced: the phone's session ends with it
        request.session.flush()
        return AnonymousUser()
    scope_to_device(user, mission_id=token[1], observer_id=token[0])
    return user


class DeviceSessionMiddleware:
    """After AuthenticationMiddleware: a session that a device token started acts as that
    token does, and ends when the token is revoked or replaced (one query, on such sessions
    only, when the request first reads ``request.user``; an API request authenticated by its
    token never reads it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user  # still lazy: a request that never reads it pays nothing
        request.user = SimpleLazyObject(lambda: _device_session_user(request, user))
        return self.get_response(request)
