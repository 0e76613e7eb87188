"""A seed outside any transaction (manage.py seed_demo, the benchmarks' data) leaves the
loaded tables' pages marked all-visible, so the queue reads its leads from the indexes
alone. Its own module: the seed runs with autocommit, which the module-wide seed of
test_seed_demo.py holds off."""

import datetime as dt

import pytest
from django.db import connection

from apps.demo.seeding.run import demo_seed

NOW = dt.datetime(2026, 3, 16, 15, 0, tzinfo=dt.UTC)
TABLES = ("leads_lead", "leads_activity", "people_person", "people_consent")


def _pages_not_all_visible(table: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages - relallvisible, relpages FROM pg_class WHERE oid = %s::regclass",
            [table],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rebuild_indexes", [False, True])
def test_a_reset_seed_leaves_every_loaded_page_all_visible(rebuild_indexes):
    demo_seed(
        seed=7, leads=300, reset=True, now=NOW, rebuild_indexes=rebuild_indexes, progress=False
    )

    for table in TABLES:
        hidden, pages = _pages_not_all_visible(table)
        assert pages > 0, table
        assert hidden == 0, f"{table}: {hidden} of {pages} pages not marked all-visible"
