"""Funnel, weekly trends and channel quality: sums over the daily counts (or, when
they cannot answer, the per-lead rows)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import LOST_REASON_CODES
from apps.dashboards.query import cohort_where, fetch_all, rate
from apps.dashboards.selectors.base import (
    CHANNEL_LABELS,
    now_or,
)
from apps.pipeline.choices import DefaultStage


@dataclass(frozen=True)
class FunnelStage:
    slug: str
    name: str
    position: int


@dataclass(frozen=True)
class CountsLayout:
    """The funnel stages as they are now, the reason codes the lost counts follow, and
    whether DailyCounts was counted against exactly these (else LeadFact answers)."""

    stages: list[FunnelStage]
    lost_reasons: tuple[str, ...]
    counted: bool


def counts_layout() -> CountsLayout:
    """The active open and won stages in pipeline order (the steps of the funnel) and
    what the daily counts were counted against; one query."""
    rows = fetch_all(
        """
        SELECT s.slug, s.name, s.position, r.funnel_positions, r.lost_reasons
        FROM pipeline_pipelinestage s
        LEFT JOIN dashboards_factsrefresh r ON r.id = 1
        WHERE s.is_active AND s.kind IN ('open', 'won')
        ORDER BY s.position
        """,
        {},
    )
    stages = [FunnelStage(slug=r["slug"], name=r["name"], position=r["position"]) for r in rows]
    counted = bool(rows) and (
        rows[0]["funnel_positions"] == [stage.position for stage in stages]
        and rows[0]["lost_reasons"] == list(LOST_REASON_CODES)
    )
    return CountsLayout(stages=stages, lost_reasons=LOST_REASON_CODES, counted=counted)


def counts_source(
    filters: DashboardFilters, *, layout: CountsLayout, now: dt.datetime
) -> tuple[str, dict]:
    """A relation with one row per day and dimension (or per lead) and the columns day,
    service_line_id, channel, utm_campaign, leads, r0..rN (leads that reached each
    funnel stage) and l0..lM (leads lost for each reason), narrowed to the period and
    filters.

    The daily counts answer unless a referral source is chosen (they have no source; that
    source's own LeadFact rows are few) or the pipeline changed since they were counted;
    DailyLineCounts when neither a location nor a lead type is chosen.
    """
    stages, reasons = layout.stages, layout.lost_reasons
    if layout.counted and not filters.referral_source_id:
        clauses = ["d.day >= %(start)s", "d.day <= %(end)s"]
        params: dict = {"start": filters.start, "end": filters.end}
        for column in ("service_line_id", "location_id", "channel", "lead_type"):
            value = getattr(filters, column)
            if value:
                clauses.append(f"d.{column} = %({column})s")
                params[column] = value
        # Without a location or lead type filter the smaller table has all it takes.
        fine = filters.location_id or filters.lead_type
        table = "dashboards_dailycounts" if fine else "dashboards_dailylinecounts"
        columns = "".join(f", d.reached[{i + 1}] AS r{i}" for i in range(len(stages)))
        columns += "".join(f", d.lost[{j + 1}] AS l{j}" for j in range(len(reasons)))
        return (
            "SELECT d.day, d.service_line_id, d.channel, d.utm_campaign, d.leads"  # noqa: S608
            f"{columns} FROM {table} d WHERE {' AND '.join(clauses)}"
        ), params
    where, params = cohort_where(filters, now=now)
    columns = ""
    for i, stage in enumerate(stages):
        params[f"p{i}"] = stage.position
        columns += f", (f.furthest_position >= %(p{i})s)::int AS r{i}"
    for j, code in enumerate(reasons):
        params[f"lr{j}"] = code
        columns += f", (f.stage_kind = 'lost' AND f.lost_reason = %(lr{j})s)::int AS l{j}"
    return (
        "SELECT f.created_on AS day, f.service_line_id, f.channel, f.utm_campaign, 1 AS leads"  # noqa: S608
        f"{columns} FROM dashboards_leadfact f WHERE {where}"
    ), params


def _reached_column(stages: list[FunnelStage], slug: str) -> str:
    """The r<i> column of a milestone stage, or 0 when it is not in the funnel."""
    for i, stage in enumerate(stages):
        if stage.slug == slug:
            return f"src.r{i}"
    return "0"


@dataclass(frozen=True)
class FunnelRow:
    """One funnel: of all leads, or of one service line or channel."""

    key: str  # "" for all leads, else a service line slug or a channel code
    label: str
    reached: list[int]  # per funnel stage, in order; the first is every lead
    step_rates: list[Decimal | None]  # from the stage before; None for the first
    lead_to_scheduled: Decimal | None
    lead_to_completed: Decimal | None

    @property
    def leads(self) -> int:
        return self.reached[0] if self.reached else 0


@dataclass(frozen=True)
class Funnel:
    stages: list[FunnelStage]
    total: FunnelRow
    by_service_line: list[FunnelRow]
    by_channel: list[FunnelRow]


def dashboard_funnel(*, filters: DashboardFilters, now: dt.datetime | None = None) -> Funnel:
    """Leads reaching each stage, step-to-step conversion, lead-to-scheduled and
    lead-to-completed rates; for all leads, per service line and per channel."""
    layout = counts_layout()
    stages = layout.stages
    source, params = counts_source(filters, layout=layout, now=now_or(now))
    stage_range = range(len(stages))
    base_sums = "".join(f", sum(src.r{i}) AS r{i}" for i in stage_range)
    sums = "".join(f", COALESCE(sum(b.r{i}), 0)::int AS r{i}" for i in stage_range)
    # Summed per (service line, channel) first, in one parallel pass, then rolled up:
    # grouping sets straight over many rows would sort them three times.
    rows = fetch_all(
        f"""
        WITH base AS (
            SELECT src.service_line_id, src.channel {base_sums}
            FROM ({source}) src
            GROUP BY src.service_line_id, src.channel
        )
        SELECT GROUPING(b.service_line_id, b.channel) AS grouping_level,
            b.service_line_id, sl.slug AS line_slug, sl.name AS line_name, b.channel {sums}
        FROM base b LEFT JOIN servicelines_serviceline sl ON sl.id = b.service_line_id
        GROUP BY GROUPING SETS ((), (b.service_line_id, sl.slug, sl.name), (b.channel))
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    total, by_line, by_channel = None, [], []
    for row in rows:  # one row per service line and channel present, and the total
        reached = [row[f"r{i}"] for i in stage_range]
        if row["grouping_level"] == 3:
            total = _funnel_row(stages, key="", label="All leads", reached=reached)
        elif row["grouping_level"] == 1:
            by_line.append(
                _funnel_row(stages, key=row["line_slug"], label=row["line_name"], reached=reached)
            )
        else:
            by_channel.append(
                _funnel_row(
                    stages,
                    key=row["channel"],
                    label=CHANNEL_LABELS.get(row["channel"], row["channel"]),
                    reached=reached,
                )
            )
    return Funnel(
        stages=stages,
        total=total or _funnel_row(stages, key="", label="All leads", reached=[0] * len(stages)),
        by_service_line=sorted(by_line, key=lambda r: (-r.leads, r.label)),
        by_channel=sorted(by_channel, key=lambda r: (-r.leads, r.label)),
    )


def _funnel_row(stages: list[FunnelStage], *, key: str, label: str, reached: list[int]):
    index = {stage.slug: i for i, stage in enumerate(stages)}
    leads = reached[0] if reached else 0

    def to(slug: str) -> Decimal | None:
        return rate(reached[index[slug]], leads) if slug in index else None

    return FunnelRow(
        key=key,
        label=label,
        reached=reached,
        step_rates=[None] + [rate(reached[i], reached[i - 1]) for i in range(1, len(reached))],
        lead_to_scheduled=to(DefaultStage.SCHEDULED),
        lead_to_completed=to(DefaultStage.COMPLETED),
    )


@dataclass(frozen=True)
class TrendWeek:
    week: dt.date  # the Monday the week starts on
    starts: dt.date  # the first day of the week inside the period
    ends: dt.date  # the last day of the week inside the period
    leads: int = 0
    qualified: int = 0
    scheduled: int = 0
    completed: int = 0

    @property
    def is_partial(self) -> bool:
        return (self.ends - self.starts).days < 6


def dashboard_trends(
    *, filters: DashboardFilters, now: dt.datetime | None = None
) -> list[TrendWeek]:
    """Per week of the period (Monday to Sunday), the leads that came in that week and
    how many of them reached Qualified, Scheduled and Completed. Weeks without leads
    are listed with zeros."""
    layout = counts_layout()
    stages = layout.stages
    source, params = counts_source(filters, layout=layout, now=now_or(now))
    rows = fetch_all(
        f"""
        SELECT date_trunc('week', src.day::timestamp)::date AS week,
            sum(src.leads)::int AS leads,
            sum({_reached_column(stages, DefaultStage.QUALIFIED)})::int AS qualified,
            sum({_reached_column(stages, DefaultStage.SCHEDULED)})::int AS scheduled,
            sum({_reached_column(stages, DefaultStage.COMPLETED)})::int AS completed
        FROM ({source}) src
        GROUP BY 1
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    counts = {row.pop("week"): row for row in rows}
    weeks = []
    monday = filters.start - dt.timedelta(days=filters.start.weekday())
    while monday <= filters.end:  # a loop over weeks, a few dozen at most
        weeks.append(
            TrendWeek(
                week=monday,
                starts=max(monday, filters.start),
                ends=min(monday + dt.timedelta(days=6), filters.end),
                **counts.get(monday, {}),
            )
        )
        monday += dt.timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class ChannelQualityRow:
    channel: str
    channel_label: str
    campaign: str | None  # None on a channel's own row; "" for leads without a campaign
    leads: int
    qualified: int
    scheduled: int

    @property
    def qualified_rate(self) -> Decimal | None:
        return rate(self.qualified, self.leads)

    @property
    def scheduled_rate(self) -> Decimal | None:
        return rate(self.scheduled, self.leads)


@dataclass(frozen=True)
class ChannelQuality:
    by_channel: list[ChannelQualityRow]
    by_campaign: list[ChannelQualityRow]


def dashboard_channel_quality(
    *, filters: DashboardFilters, now: dt.datetime | None = None
) -> ChannelQuality:
    """Per channel, and per channel and campaign (utm_campaign): leads, and the share
    that reached Qualified and Scheduled."""
    layout = counts_layout()
    stages = layout.stages
    source, params = counts_source(filters, layout=layout, now=now_or(now))
    rows = fetch_all(
        f"""
        WITH base AS (
            SELECT src.channel, src.utm_campaign, sum(src.leads) AS leads,
                sum({_reached_column(stages, DefaultStage.QUALIFIED)}) AS qualified,
                sum({_reached_column(stages, DefaultStage.SCHEDULED)}) AS scheduled
            FROM ({source}) src
            GROUP BY src.channel, src.utm_campaign
        )
        SELECT GROUPING(b.utm_campaign) AS all_campaigns, b.channel, b.utm_campaign,
            sum(b.leads)::int AS leads, sum(b.qualified)::int AS qualified,
            sum(b.scheduled)::int AS scheduled
        FROM base b
        GROUP BY GROUPING SETS ((b.channel), (b.channel, b.utm_campaign))
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    by_channel, by_campaign = [], []
    for row in rows:
        item = ChannelQualityRow(
            channel=row["channel"],
            channel_label=CHANNEL_LABELS.get(row["channel"], row["channel"]),
            campaign=None if row["all_campaigns"] else row["utm_campaign"],
            leads=row["leads"],
            qualified=row["qualified"],
            scheduled=row["scheduled"],
        )
        (by_channel if row["all_campaigns"] else by_campaign).append(item)
    return ChannelQuality(
        by_channel=sorted(by_channel, key=lambda r: (-r.leads, r.channel_label)),
        by_campaign=sorted(
            by_campaign, key=lambda r: (r.channel_label, -r.leads, r.campaign or "")
        ),
    )
