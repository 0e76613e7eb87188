"""Plumbing shared by the panel selectors: the period's WHERE clause, running one
statement, and turning counts into rates."""

import datetime as dt
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
