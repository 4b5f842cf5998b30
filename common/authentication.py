"""``Authorization: Token <key>``: DRF's token authentication with a cheaper lookup.

Every API request of an observer's phone authenticates this way, the visit POST above all.
DRF resolves the key with ``Token.objects.select_related("user").get(key=...)``, whose ORM
query building cost ~1 ms of CPU per request on the benchmark machine (BENCHMARKS.md,
Ingest): here the same row comes from one raw statement. Same checks, same answers (401
"Invalid token." / "User inactive or deleted."), no caching: a revoked token fails at once.
"""

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common.prepared import Statement


def _select_list(model, alias) -> tuple[str, list[str]]:
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{f.column}"' for f in fields), [f.attname for f in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    _sql = None

    @classmethod
    def _query(cls):
        if cls._sql is None:
            user_model = get_user_model()
            token_columns, token_names = _select_list(Token, "t")
            user_columns, user_names = _select_list(user_model, "u")
            user_pk = user_model._meta.pk.column
            token_user = Token._meta.get_field("user").column
            cls._sql = (
                Statement(
                    "token_user",
                    f"SELECT {token_columns}, {user_columns} "  # noqa: S608 - names from the models
                    f"FROM {Token._meta.db_table} t "
                    f'JOIN {user_model._meta.db_table} u ON u."{user_pk}" = t."{token_user}" '
                    f'WHERE t."{Token._meta.pk.column}" = %s',
                ),
                token_names,
                user_names,
            )
        return cls._sql

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:  # a custom token model: DRF's own lookup
            return super().authenticate_credentials(key)
        statement, token_names, user_names = self._query()
        db = router.db_for_read(Token)
        with connections[db].cursor() as cursor:
            statement.execute(cursor, [key], using=db)
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = Token.from_db(db, token_names, row[: len(token_names)])
        user = get_user_model().from_db(db, user_names, row[len(token_names) :])
        Token.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (user, token)
