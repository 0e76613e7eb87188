"""Plumbing shared by the panel selectors: the period's WHERE clause, running one
statement, and turning counts into rates."""

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from apps.dashboards.filters import DashboardFilters

# Each panel is one short aggregate: PostgreSQL's JIT spent 100-350 ms compiling them
# (more than running them), and sorts for percentiles must stay in memory. SET LOCAL in
# the same statement string holds for that statement only (one implicit transaction).
_SESSION = "SET LOCAL jit = off; SET LOCAL work_mem = '{work_mem}'; "


def cohort_where(filters: DashboardFilters, *, now: dt.datetime) -> tuple[str, dict]:
    """The WHERE clause (over `dashboards_leadfact f`) of the leads that came in during
    the period and match the filters, and its parameters."""
    clauses = ["f.created_at >= %(starts_at)s", "f.created_at < %(ends_before)s"]
    params: dict = {
        "starts_at": filters.starts_at,
        "ends_before": filters.ends_before,
        "now": now,
    }
    for column in ("service_line_id", "location_id", "referral_source_id", "channel", "lead_type"):
        value = getattr(filters, column)
        if value:
            clauses.append(f"f.{column} = %({column})s")
            params[column] = value
    return " AND ".join(clauses), params


def fetch_all(sql: str, params: dict, *, work_mem: str = "64MB") -> list[dict]:
    """Run one aggregate statement; rows as dicts keyed by column name. `work_mem` is a
    constant of ours (a million values sort in memory in about 100MB)."""
    with connection.cursor() as cursor:
        cursor.execute(_SESSION.format(work_mem=work_mem) + sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def rate(part: int | None, whole: int | None) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def one_decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percentile_cont_between(position: float, values: list) -> float | None:
    """percentile_cont's answer at `position` (fraction * (n - 1)) from the value at rank
    floor(position) and the one after it: the first plus that fraction of the way to the
    second, in float8 as PostgreSQL computes it (orderedsetaggs.c). None without values."""
    if not values:
        return None
    first = float(values[0])
    proportion = position - math.floor(position)
    if proportion == 0 or len(values) < 2:
        return first
    return first + proportion * (float(values[1]) - first)


def rollup_where(filters: DashboardFilters, *, keys: tuple[str, ...] = ()) -> tuple[str, dict]:
    """The WHERE clause over a DailySlice rollup aliased `r` (ResponseDaily, ReferralDaily,
    StallDaily) for the period and filters, with its parameters: the coarsest level that
    splits by every filtered column (0 by day alone, 1 also by service line and channel,
    2 also by location and lead type), and `keys`, the rollup's own filterable columns."""
    if filters.location_id or filters.lead_type:
        level = 2
    elif filters.service_line_id or filters.channel:
        level = 1
    else:
        level = 0
    clauses = ["r.level = %(level)s", "r.day >= %(start)s", "r.day <= %(end)s"]
    params: dict = {"level": level, "start": filters.start, "end": filters.end}
    for column in (*keys, "service_line_id", "location_id", "channel", "lead_type"):
        if getattr(filters, column):
            clauses.append(f"r.{column} = %({column})s")
    return " AND ".join(clauses), params


def values_at_ranks(
    *,
    column: str,
    groups: tuple[str, ...],
    lookups: list[tuple[int, int | None, float, int]],
    where: str,
    params: dict,
    lower_type: str,
) -> dict[int, list]:
    """The values at given ranks of per-lead figures, in one statement.

    Each lookup is (group kind, group id, lower bound, skip): the rollup's counts have
    found the value range holding the wanted rank, so only that range of the per-lead
    table is read, in `column` order from the index, skipping `skip` rows and taking two
    (the value at the rank and the next, which percentile_cont interpolates between).
    `groups[kind]` is the SQL condition of a kind of group, with `q.group_id` for its id.
    Returns {lookup number from 1: the values found, ascending}.
    """
    branches = " UNION ALL ".join(
        f"""(SELECT {column} AS value FROM dashboards_leadfact f
            WHERE q.kind = {kind} AND {condition} AND {column} >= q.lower AND {where}
            ORDER BY {column} OFFSET q.skip LIMIT 2)"""  # noqa: S608
        for kind, condition in enumerate(groups)
    )
    found = fetch_all(
        f"""
        SELECT q.i, array_agg(v.value ORDER BY v.value) AS found
        FROM unnest(%(kinds)s::int[], %(group_ids)s::bigint[], %(lowers)s::{lower_type}[],
            %(skips)s::int[]) WITH ORDINALITY AS q(kind, group_id, lower, skip, i)
        CROSS JOIN LATERAL ({branches}) v
        GROUP BY q.i
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        {
            **params,
            "kinds": [kind for kind, _group, _lower, _skip in lookups],
            "group_ids": [group for _kind, group, _lower, _skip in lookups],
            "lowers": [lower for _kind, _group, lower, _skip in lookups],
            "skips": [skip for _kind, _group, _lower, skip in lookups],
        },
    )
    return {row["i"]: row["found"] for row in found}
