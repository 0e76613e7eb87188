"""Kept database connections: checked before each request's first query, replaced when
the server has ended them, and reused without a round trip when they are fine."""

import psycopg2
import pytest
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)  # connections are closed and reopened


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _other_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    other = psycopg2.connect(**params)
    other.autocommit = True
    return other


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_queries():
    ended = _backend_pid()
    other = _other_connection()
    try:
        with other.cursor() as cursor:
            # Waits (up to 5 s) until the backend has exited, as after a restart.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [ended])
    finally:
        other.close()

    close_old_connections()  # a new request begins
    assert _backend_pid() != ended  # no error: a new connection answered


def test_a_healthy_kept_connection_is_reused_without_asking_the_server():
    kept = _backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement of the previous request'")

    close_old_connections()  # a new request begins
    connection.close_if_health_check_failed()  # what its first query does first
    other = _other_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [kept])
            last_statement = cursor.fetchone()[0]
    finally:
        other.close()

    assert last_statement == "SELECT 'the last statement of the previous request'"
    assert _backend_pid() == kept
