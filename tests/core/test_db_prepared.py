"""Hot statements run prepared: planned once per database connection, and still right
after a rollback, after the connection is replaced, and for values that need quoting."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.db import execute_prepared, insert_rows
from apps.people.models import Person

pytestmark = pytest.mark.django_db

ECHO_SQL = "SELECT %s::text, %s::int + 1"


def _echo(text: str, number: int) -> tuple:
    with connection.cursor() as cursor:
        execute_prepared(cursor, ECHO_SQL, [text, number])
        return cursor.fetchone()


def _times_planned() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%$1::text, $2::int + 1"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_a_statement_is_prepared_once_per_connection_and_reused():
    assert _echo("first", 1) == ("first", 2)
    assert _echo("second", 41) == ("second", 42)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%$1::text, $2::int + 1"])  # fmt: skip
        assert cursor.fetchone()[0] == 1
    assert _times_planned() == 2


@pytest.mark.parametrize("text", ["O'Brien", "100%", "%s", "line\nbreak", "", "Zoë"])
def test_values_reach_the_database_exactly(text):
    assert _echo(text, 0) == (text, 1)


def test_a_prepared_statement_outlives_a_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        _echo("inside", 1)
        raise RuntimeError

    assert _echo("after", 2) == ("after", 3)


@pytest.mark.django_db(transaction=True)  # the connection is closed mid-test
def test_a_new_connection_prepares_its_statements_again():
    _echo("before", 1)
    connection.close()

    assert _echo("after reconnect", 1) == ("after reconnect", 2)


@pytest.mark.django_db(transaction=True)
def test_preparing_adds_no_query_to_what_a_request_counts():
    connection.close()  # a fresh connection: nothing prepared yet
    people = [Person(first_name="Ana", phone="+13125550142"), Person(first_name="Bo")]

    with CaptureQueriesContext(connection) as first:
        insert_rows(people[:1])
    with CaptureQueriesContext(connection) as second:
        insert_rows(people[1:])

    assert len(first.captured_queries) == len(second.captured_queries) == 1
    assert Person.objects.filter(pk__in=[p.pk for p in people]).count() == 2


def test_a_literal_percent_is_refused_rather_than_prepared_doubled():
    with connection.cursor() as cursor, pytest.raises(ValueError, match="literal %"):
        execute_prepared(cursor, "SELECT '100%%'", [])
