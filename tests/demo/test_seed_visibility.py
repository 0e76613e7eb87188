"""A seed outside any transaction (manage.py seed_demo, the benchmarks' data) leaves the
tables it wrote analysed and their pages marked all-visible, as autovacuum would soon
after: the queue reads its leads from the indexes alone and the dashboards are planned
with real row counts. Its own module: the seed runs with autocommit, which the
module-wide seed of test_seed_demo.py holds off."""

import datetime as dt

import pytest
from django.db import connection

from apps.dashboards.models import ROLLUP_MODELS
from apps.demo.seeding.run import demo_seed

NOW = dt.datetime(2026, 3, 16, 15, 0, tzinfo=dt.UTC)
LOADED = ("leads_lead", "leads_activity", "people_person", "people_consent")
ROLLUPS = tuple(model._meta.db_table for model in ROLLUP_MODELS)


def _table_state(table: str) -> tuple[int, int, float]:
    """Pages not marked all-visible, pages, and the planner's row count (-1: never
    analysed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages - relallvisible, relpages, reltuples FROM pg_class "
            "WHERE oid = %s::regclass",
            [table],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rebuild_indexes", [False, True])
def test_a_reset_seed_leaves_its_tables_analysed_and_all_visible(rebuild_indexes):
    demo_seed(
        seed=7, leads=300, reset=True, now=NOW, rebuild_indexes=rebuild_indexes, progress=False
    )

    for table in (*LOADED, ROLLUPS[0]):
        hidden, pages, _ = _table_state(table)
        assert pages > 0, table
        assert hidden == 0, f"{table}: {hidden} of {pages} pages not marked all-visible"
    for table in ROLLUPS:
        _, _, rows = _table_state(table)
        assert rows > 0, f"{table} has no statistics"
