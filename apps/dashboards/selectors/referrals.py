"""Referral sources: top and declining sources, leakage, closed loop, days to appointment."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import APPOINTMENT_BINS
from apps.dashboards.query import (
    cohort_where,
    fetch_all,
    one_decimal,
    percentile_cont_between,
    rate,
    rollup_where,
    values_at_ranks,
)
from apps.dashboards.selectors.base import (
    SOURCE_KIND_LABELS,
    now_or,
)
from apps.referrals.choices import HealthStatus
from apps.referrals.models import ReferralSourceHealth


@dataclass(frozen=True)
class SourceFigures:
    """The referred leads of the period: of one source, or (source_id None) of all."""

    source_id: int | None
    name: str
    kind: str
    health: str  # the source's last health status, "" if never classified
    referrals: int
    scheduled: int
    completed: int
    lost: int
    referred_elsewhere: int
    out_of_network: int
    declined_by_patient: int
    feedback_sent: int
    with_appointment: int
    median_days_to_appointment: Decimal | None

    @property
    def leakage_rate(self) -> Decimal | None:
        """Referred leads lost (disqualified or referred elsewhere), of all referred."""
        return rate(self.lost, self.referrals)

    @property
    def closed_loop_rate(self) -> Decimal | None:
        """Completed referrals whose visit summary went back to the referrer."""
        return rate(self.feedback_sent, self.completed)


@dataclass(frozen=True)
class DecliningSource:
    source_id: int
    name: str
    recent_referrals: int
    expected_recent_referrals: Decimal
    reason: str
    referrals: int  # in the period, with the filters


@dataclass(frozen=True)
class ReferralSources:
    total: SourceFigures
    top: list[SourceFigures]
    declining: list[DecliningSource]
    health_classified_at: dt.datetime | None


TOP_SOURCES = 10
DECLINING_SHOWN = 10


def dashboard_referral_sources(
    *, filters: DashboardFilters, now: dt.datetime | None = None
) -> ReferralSources:
    """Top referral sources, the sources the nightly health job (apps.referrals) found
    declining, leakage and closed-loop rates, and the median days from referral to the
    appointment; over the referred leads of the period."""
    where, params = cohort_where(filters, now=now_or(now))
    params.update(top=TOP_SOURCES + 1)
    health_table = ReferralSourceHealth._meta.db_table
    counts = [
        "referrals",
        "scheduled",
        "completed",
        "lost",
        "referred_elsewhere",
        "out_of_network",
        "declined_by_patient",
        "feedback_sent",
        "with_appointment",
    ]
    bins = range(APPOINTMENT_BINS)
    source, source_params = rollup_where(filters, keys=("referral_source_id",))
    params.update(source_params)
    rows = fetch_all(
        f"""
        WITH per_source AS (
            -- Summed per source in one pass, then rolled up: grouping sets straight over
            -- the daily rows would aggregate them twice.
            SELECT r.referral_source_id
                {"".join(f", sum(r.{name}) AS {name}" for name in counts)}
                {"".join(f", sum(r.bins[{i + 1}]) AS h{i}" for i in range(APPOINTMENT_BINS))}
            FROM dashboards_referraldaily r WHERE {source}
            GROUP BY r.referral_source_id
        ), counted AS (
            SELECT GROUPING(p.referral_source_id) AS is_total, p.referral_source_id
                {"".join(f", COALESCE(sum(p.{name}), 0)::int AS {name}" for name in counts)}
                {"".join(f", COALESCE(sum(p.h{i}), 0)::int AS h{i}" for i in bins)}
            FROM per_source p
            GROUP BY GROUPING SETS ((), (p.referral_source_id))
        )
        SELECT k.*, rs.name, rs.kind, h.status AS health,
            (SELECT e.appointment_edges FROM dashboards_factsrefresh e WHERE e.id = 1) AS edges
        FROM counted k
        LEFT JOIN referral_sources_referralsource rs ON rs.id = k.referral_source_id
        LEFT JOIN {health_table} h ON h.source_id = k.referral_source_id
        ORDER BY k.is_total DESC, k.referrals DESC, rs.name, k.referral_source_id
        LIMIT %(top)s
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    medians = _median_days(rows, where=where, params=params)
    for index, row in enumerate(rows):
        row["median_days"] = medians.get(index)
    figures = [
        SourceFigures(
            source_id=row["referral_source_id"],
            name=row["name"] or "All referral sources",
            kind=SOURCE_KIND_LABELS.get(row["kind"], "") if row["kind"] else "",
            health=row["health"] or "",
            median_days_to_appointment=one_decimal(row["median_days"]),
            **{
                name: row[name]
                for name in (
                    "referrals",
                    "scheduled",
                    "completed",
                    "lost",
                    "referred_elsewhere",
                    "out_of_network",
                    "declined_by_patient",
                    "feedback_sent",
                    "with_appointment",
                )
            },
        )
        for row in rows
    ]
    source_filter = "AND h.source_id = %(referral_source_id)s" if filters.referral_source_id else ""
    params.update(declining=HealthStatus.DECLINING, shown=DECLINING_SHOWN)
    declining_rows = fetch_all(
        f"""
        SELECT h.source_id, rs.name, h.recent_referrals, h.expected_recent_referrals,
            h.reason, h.classified_at,
            (SELECT count(*) FROM dashboards_leadfact f
             WHERE {where} AND f.referral_source_id = h.source_id) AS referrals,
            max(h.classified_at) OVER () AS last_classified_at
        FROM {health_table} h
        JOIN referral_sources_referralsource rs ON rs.id = h.source_id
        WHERE h.status = %(declining)s {source_filter}
        ORDER BY h.expected_recent_referrals DESC, rs.name, h.source_id
        LIMIT %(shown)s
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    return ReferralSources(
        total=figures[0],
        top=figures[1:],
        declining=[
            DecliningSource(
                source_id=row["source_id"],
                name=row["name"],
                recent_referrals=row["recent_referrals"],
                expected_recent_referrals=row["expected_recent_referrals"],
                reason=row["reason"],
                referrals=row["referrals"],
            )
            for row in declining_rows
        ],
        health_classified_at=declining_rows[0]["last_classified_at"] if declining_rows else None,
    )


def _median_days(rows: list[dict], *, where: str, params: dict) -> dict[int, float | None]:
    """The median days from referral to appointment of each row shown (all referred
    leads, and each top source), exactly as percentile_cont. The rollup's bins place the
    middle rank in one bin; the days of the row's leads with an appointment are then read
    in order from an index (LeadFact.Meta) from that bin's lower edge on, skipping those
    below the rank, two values each (as for response times); one statement."""
    lookups = []  # (row index, position, kind, source id, lower edge, skip)
    for index, row in enumerate(rows):
        if not row["with_appointment"]:
            continue
        position = 0.5 * (row["with_appointment"] - 1)
        rank, below = math.floor(position), 0
        edges = row["edges"] or []
        for i in range(APPOINTMENT_BINS):
            count = row[f"h{i}"]
            if rank < below + count:
                lower = edges[i] if i < len(edges) else float("-inf")
                kind = 0 if row["is_total"] else 1
                lookups.append(
                    (index, position, kind, row["referral_source_id"], lower, rank - below)
                )
                break
            below += count
    if not lookups:
        return {}
    days = values_at_ranks(
        column=c.DAYS_TO_APPOINTMENT,
        groups=(c.REFERRED, "f.referral_source_id = q.group_id"),
        lookups=[(kind, source, lower, skip) for _i, _p, kind, source, lower, skip in lookups],
        where=where,
        params=params,
        lower_type="float8",
    )
    return {
        index: percentile_cont_between(position, days.get(number) or [])
        for number, (index, position, *_rest) in enumerate(lookups, start=1)
    }
