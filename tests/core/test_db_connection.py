"""Kept database connections (CONN_MAX_AGE): checked before each request's first query
(CONN_HEALTH_CHECKS) and replaced when the server has ended them."""

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
