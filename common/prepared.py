"""Server-side prepared statements for the few raw statements every visit POST runs.

psycopg2 sends each statement as text, so PostgreSQL parses and plans it every time: for the
visit POST's statements (token, observer and station, flags, the one-statement store) that
planning was ~1.3 ms of the backend's ~3.3 ms of CPU per visit. A ``Statement`` is prepared
once per database connection (``PREPARE``, which outlives a rolled-back transaction) and then
run with ``EXECUTE``.

The SQL uses ``%(name)s`` placeholders (or ``%s``, in order), as Django's raw cursors do;
every parameter whose type PostgreSQL cannot infer from where it stands needs a cast
(``%(at)s::timestamptz``), since ``PREPARE`` fixes the parameter types. No ``%%`` either.
"""

import hashlib
import re
import time
import weakref

from django.db import DatabaseError, connections

_NAMED = re.compile(r"%\((\w+)\)s")
# Raw DB-API connection -> names prepared on it. A new connection (after CONN_MAX_AGE, an
# error, a fork) is a new key, so its statements are prepared again.
_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


class Statement:
    def __init__(self, prefix: str, sql: str):
        self.sql = sql
        order: list = []

        def number(match):
            key = match.group(1)
            if key not in order:
                order.append(key)
            return f"${order.index(key) + 1}"

        if _NAMED.search(sql):
            prepared = _NAMED.sub(number, sql)
        else:
            parts = sql.split("%s")
            order = list(range(len(parts) - 1))
            prepared = "".join(
                part + (f"${i + 1}" if i < len(order) else "") for i, part in enumerate(parts)
            )
        if "%" in prepared:
            raise ValueError(f"{prefix}: only %s or %(name)s placeholders, and no literal %")
        self.order = order
        self.name = f"{prefix}_{hashlib.sha1(prepared.encode()).hexdigest()[:12]}"  # noqa: S324
        self.prepare_sql = f"PREPARE {self.name} AS {prepared}"
        placeholders = ", ".join(["%s"] * len(order))
        self.execute_sql = (
            f"EXECUTE {self.name} ({placeholders})" if order else f"EXECUTE {self.name}"
        )

    def execute(self, cursor, params, using: str = "default") -> None:
        """Run the statement on ``cursor`` (a cursor of ``connections[using]``)."""
        connection = connections[using]
        raw = connection.connection
        names = _prepared.get(raw)
        if names is None:
            names = _prepared[raw] = set()
        if self.name not in names:
            cursor.execute(self.prepare_sql)
            names.add(self.name)
        try:
            cursor.execute(self.execute_sql, [params[key] for key in self.order])
        except DatabaseError:
            # A prepared plan outlives schema changes it cannot follow (a migration that
            # changes a column's type: "cached plan must not change result type"). Whatever
            # the error, retire the connection at the end of the request, so the next one
            # prepares on a fresh connection instead of failing until CONN_MAX_AGE.
            connection.close_at = time.monotonic()
            raise
