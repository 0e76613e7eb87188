"""Drop-off: where open leads stall, and why leads were lost."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.query import cohort_where, fetch_all, one_decimal
from apps.dashboards.selectors.base import (
    LOST_REASON_LABELS,
    now_or,
)
from apps.dashboards.selectors.counts import counts_layout, counts_source


@dataclass(frozen=True)
class StageStall:
    """Open leads waiting at one stage (or, with slug "", at any stage)."""

    slug: str
    name: str
    leads: int
    median_days: Decimal | None
    buckets: list[int]  # per STALL_BUCKETS


@dataclass(frozen=True)
class LostReasonRow:
    key: str  # service line slug, "" for all service lines
    label: str
    lost: int
    by_reason: list[int]  # per DropOff.reasons


@dataclass(frozen=True)
class DropOff:
    stalls: list[StageStall]
    open_total: StageStall
    reasons: list[tuple[str, str]]  # (code, label) of every reason present, most first
    lost_total: LostReasonRow
    lost_by_service_line: list[LostReasonRow]


def dashboard_drop_off(*, filters: DashboardFilters, now: dt.datetime | None = None) -> DropOff:
    """Where open leads stall (how long they have been at their current stage), and
    why leads were lost, per service line."""
    now = now_or(now)
    where, params = cohort_where(filters, now=now)
    buckets = "".join(
        f", count(*) FILTER (WHERE {b.condition('o.seconds')}) AS b{i}"
        for i, b in enumerate(c.STALL_BUCKETS)
    )
    # The median time at the stage is "now" minus the median time entered (one is the
    # other mirrored), and the index hands those over sorted, stage by stage.
    stall_rows = fetch_all(
        f"""
        WITH g AS (
            SELECT o.stage_id, count(*) AS leads,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY o.entered) AS median_entered
                {buckets}
            FROM (
                SELECT f.stage_id, date_part('epoch', f.stage_entered_at) AS entered,
                    {c.SECONDS_IN_STAGE} AS seconds
                FROM dashboards_leadfact f WHERE {where} AND {c.OPEN}
                ORDER BY f.stage_id, f.stage_entered_at
            ) o
            GROUP BY o.stage_id
        )
        SELECT g.*, date_part('epoch', %(now)s::timestamptz) - g.median_entered
                AS median_seconds,
            s.slug, s.name
        FROM g JOIN pipeline_pipelinestage s ON s.id = g.stage_id
        ORDER BY s.position
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
        work_mem="128MB",
    )
    stalls = [
        StageStall(
            slug=row["slug"],
            name=row["name"],
            leads=row["leads"],
            median_days=one_decimal(row["median_seconds"] / 86400),
            buckets=[row[f"b{i}"] for i in range(len(c.STALL_BUCKETS))],
        )
        for row in stall_rows
    ]
    # The row of all open leads adds up the stages; a median over all of them would cost
    # one more sort of every open lead, for a figure the per-stage medians already tell.
    open_total = StageStall(
        slug="",
        name="All open leads",
        leads=sum(stall.leads for stall in stalls),
        median_days=None,
        buckets=[sum(stall.buckets[i] for stall in stalls) for i in range(len(c.STALL_BUCKETS))],
    )

    layout = counts_layout()
    source, params = counts_source(filters, layout=layout, now=now)
    lost = ", ".join(f"sum(src.l{i})::int AS l{i}" for i in range(len(layout.lost_reasons)))
    lost_rows = fetch_all(
        f"""
        WITH base AS (
            SELECT src.service_line_id, {lost}
            FROM ({source}) src GROUP BY src.service_line_id
        )
        SELECT sl.slug, sl.name, b.* FROM base b
        JOIN servicelines_serviceline sl ON sl.id = b.service_line_id
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    lines = [
        (row["slug"], row["name"], [row[f"l{i}"] for i in range(len(layout.lost_reasons))])
        for row in lost_rows
    ]
    totals = [sum(counts[i] for _s, _n, counts in lines) for i in range(len(layout.lost_reasons))]
    shown = sorted(
        (i for i, total in enumerate(totals) if total),
        key=lambda i: (-totals[i], layout.lost_reasons[i]),
    )
    return DropOff(
        stalls=stalls,
        open_total=open_total,
        reasons=[
            (
                layout.lost_reasons[i],
                LOST_REASON_LABELS.get(layout.lost_reasons[i], "No reason given"),
            )
            for i in shown
        ],
        lost_total=LostReasonRow(
            key="",
            label="All service lines",
            lost=sum(totals),
            by_reason=[totals[i] for i in shown],
        ),
        lost_by_service_line=sorted(
            (
                LostReasonRow(
                    key=slug, label=name, lost=sum(counts), by_reason=[counts[i] for i in shown]
                )
                for slug, name, counts in lines
                if sum(counts)
            ),
            key=lambda r: (-r.lost, r.label),
        ),
    )
