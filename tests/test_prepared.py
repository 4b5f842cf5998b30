"""``common.prepared.Statement``: prepared once per connection, the same rows as plain SQL."""

import pytest
from django.db import connection, transaction

from common.prepared import Statement

pytestmark = pytest.mark.django_db(transaction=True)


def rows(statement, params):
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        return cursor.fetchall()


def test_placeholders_become_numbered_parameters():
    named = Statement("t_named", "SELECT %(a)s::int + %(b)s::int, %(a)s::int")
    positional = Statement("t_positional", "SELECT %s::int, %s::text")

    assert named.prepare_sql.endswith("AS SELECT $1::int + $2::int, $1::int")
    assert positional.prepare_sql.endswith("AS SELECT $1::int, $2::text")
    assert rows(named, {"a": 2, "b": 3, "unused": 9}) == [(5, 2)]
    assert rows(positional, [7, "x"]) == [(7, "x")]
    with pytest.raises(ValueError, match="literal"):
        Statement("t_percent", "SELECT 'a%%b'")


def test_prepared_once_per_connection_and_kept_after_a_rollback():
    statement = Statement("t_once", "SELECT %s::int * 2")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert rows(statement, [1]) == [(2,)]
        raise RuntimeError("roll back the transaction that prepared it")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [statement.name]
        )
        assert cursor.fetchone() == (1,)
    assert rows(statement, [4]) == [(8,)]

    connection.close()  # a new connection prepares it again
    assert rows(statement, [5]) == [(10,)]


def test_a_plan_broken_by_a_schema_change_retires_the_connection():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t_retire (n int)")
        cursor.execute("INSERT INTO t_retire VALUES (1)")
    statement = Statement("t_retire", "SELECT n FROM t_retire WHERE n = %s::int")
    assert rows(statement, [1]) == [(1,)]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE t_retire ALTER COLUMN n TYPE bigint")
    connection.close_at = None

    with pytest.raises(Exception, match="result type"):
        rows(statement, [1])

    assert connection.close_at is not None
    connection.close_if_unusable_or_obsolete()  # what Django does when the request ends
    assert rows(statement, [1]) == [(1,)]  # prepared again on the new connection
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE t_retire")


def test_a_connection_the_server_ended_is_replaced_and_prepares_again():
    """A PostgreSQL restart (here: the server ends our backend) leaves each kept connection
    dead. The next request's first query checks it (CONN_HEALTH_CHECKS), connects again and
    prepares the statement on the new connection: no 500."""
    import psycopg2

    statement = Statement("t_restart", "SELECT %s::int + 1")
    assert rows(statement, [1]) == [(2,)]
    params = connection.get_connection_params()
    with psycopg2.connect(**params) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.get_backend_pid()])
    connection.close_if_unusable_or_obsolete()  # what Django does when a request starts

    assert rows(statement, [2]) == [(3,)]
