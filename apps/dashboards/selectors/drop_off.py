"""Drop-off: where open leads stall, and why leads were lost."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import STALL_BINS
from apps.dashboards.query import (
    cohort_where,
    fetch_all,
    one_decimal,
    percentile_cont_between,
    rollup_where,
)
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
    per_bin, source_params = _stall_source(filters, where=where)
    params.update(source_params)
    # The bucket bounds, as "at the stage at least x seconds": count(bucket) is the count
    # at least its lower bound minus the count at least its upper bound.
    bounds = sorted(
        {b for bucket in c.STALL_BUCKETS for b in (bucket.lower, bucket.upper) if b is not None}
    )
    params.update(bounds=[float(bound) for bound in bounds])
    in_bin = (
        f"f.stage_id = b.stage_id AND {c.OPEN} AND f.stage_entered_at >= e.edges[b.i]"
        " AND f.stage_entered_at < COALESCE(e.edges[b.i + 1], 'infinity')"
    )
    # Open leads per stage and bin of the time they entered it (StallDaily), and from
    # those, exactly: the median (its rank placed in one bin, the two times around it
    # read from LeadFact's open-leads index from that bin on) and, per bound, how many
    # have been at their stage at least that long (whole bins from the counts, the one
    # bin the bound falls in counted from LeadFact). One statement.
    stall_rows = fetch_all(
        f"""
        WITH e AS (
            SELECT r.stall_edges AS edges FROM dashboards_factsrefresh r WHERE r.id = 1
        ), per_bin AS ({per_bin}
        ), b AS (
            SELECT p.stage_id, p.i, p.n,
                sum(p.n) OVER (PARTITION BY p.stage_id ORDER BY p.i) - p.n AS below,
                sum(p.n) OVER (PARTITION BY p.stage_id) AS leads
            FROM per_bin p WHERE p.n > 0
        ), t AS (
            SELECT t.j, t.x, %(now)s::timestamptz - make_interval(secs => t.x) AS at
            FROM unnest(%(bounds)s::float8[]) WITH ORDINALITY AS t(x, j)
        ), middle AS (
            SELECT b.stage_id, (
                SELECT array_agg(v.entered ORDER BY v.entered) FROM (
                    SELECT date_part('epoch', f.stage_entered_at) AS entered
                    FROM dashboards_leadfact f
                    WHERE f.stage_id = b.stage_id AND {c.OPEN}
                        AND f.stage_entered_at >= e.edges[b.i] AND {where}
                    ORDER BY f.stage_entered_at
                    OFFSET floor(0.5 * (b.leads - 1)) - b.below LIMIT 2
                ) v
            ) AS entered
            FROM b CROSS JOIN e
            WHERE floor(0.5 * (b.leads - 1)) >= b.below
                AND floor(0.5 * (b.leads - 1)) < b.below + b.n
        ), past AS (
            SELECT b.stage_id, t.j, b.n
            FROM b CROSS JOIN e CROSS JOIN t
            WHERE COALESCE(e.edges[b.i + 1], 'infinity') <= t.at
            UNION ALL
            SELECT b.stage_id, t.j, (
                SELECT count(*) FROM dashboards_leadfact f
                WHERE {in_bin} AND {c.SECONDS_IN_STAGE} >= t.x AND {where}
            )
            FROM b CROSS JOIN e CROSS JOIN t
            WHERE e.edges[b.i] <= t.at AND t.at < COALESCE(e.edges[b.i + 1], 'infinity')
        ), stages AS (
            SELECT DISTINCT b.stage_id, b.leads FROM b
        )
        SELECT g.stage_id, g.leads::int AS leads, m.entered, s.slug, s.name,
            date_part('epoch', %(now)s::timestamptz) AS now_epoch,
            ARRAY(
                SELECT COALESCE((
                    SELECT sum(p.n) FROM past p WHERE p.stage_id = g.stage_id AND p.j = t.j
                ), 0)::int
                FROM t ORDER BY t.j
            ) AS at_least
        FROM stages g
        JOIN pipeline_pipelinestage s ON s.id = g.stage_id
        LEFT JOIN middle m ON m.stage_id = g.stage_id
        ORDER BY s.position
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    stalls = []
    for row in stall_rows:
        at_least = dict(zip(bounds, row["at_least"], strict=True))
        at_least[None] = 0
        median_entered = percentile_cont_between(0.5 * (row["leads"] - 1), row["entered"] or [])
        stalls.append(
            StageStall(
                slug=row["slug"],
                name=row["name"],
                leads=row["leads"],
                median_days=(
                    None
                    if median_entered is None
                    else one_decimal((row["now_epoch"] - median_entered) / 86400)
                ),
                buckets=[
                    (row["leads"] if bucket.lower is None else at_least[bucket.lower])
                    - at_least[bucket.upper]
                    for bucket in c.STALL_BUCKETS
                ],
            )
        )
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


def _stall_source(filters: DashboardFilters, *, where: str) -> tuple[str, dict]:
    """Open leads per stage and bin of the time they entered it (columns stage_id, i, n),
    narrowed to the period and filters: summed from StallDaily at the coarsest level the
    filters allow, or, with a referral source chosen, counted from that source's rows."""
    if filters.referral_source_id:
        return (
            "SELECT f.stage_id, width_bucket(f.stage_entered_at, e.edges) AS i,"  # noqa: S608
            f" count(*) AS n FROM dashboards_leadfact f CROSS JOIN e"
            f" WHERE {where} AND {c.OPEN} GROUP BY 1, 2"
        ), {}
    rollup, params = rollup_where(filters)
    # Each bin summed over the rows first (a few sums per row), then one row per bin.
    sums = ", ".join(f"sum(r.bins[{i + 1}])" for i in range(STALL_BINS))
    return (
        "SELECT s.stage_id, h.i, h.n FROM ("  # noqa: S608
        f"SELECT r.stage_id, ARRAY[{sums}] AS bins FROM dashboards_stalldaily r"
        f" WHERE {rollup} GROUP BY r.stage_id"
        ") s CROSS JOIN LATERAL unnest(s.bins) WITH ORDINALITY AS h(n, i)"
    ), params
