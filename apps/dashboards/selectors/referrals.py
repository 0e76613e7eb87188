"""Referral sources: top and declining sources, leakage, closed loop, days to appointment."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.query import cohort_where, fetch_all, one_decimal, rate
from apps.dashboards.selectors.base import (
    SOURCE_KIND_LABELS,
    now_or,
)
from apps.pipeline.choices import DefaultStage
from apps.referrals.choices import HealthStatus
from apps.referrals.models import ReferralSourceHealth

REACHED_SCHEDULED = c.reached_slug("scheduled_slug")


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
    params.update(scheduled_slug=DefaultStage.SCHEDULED, top=TOP_SOURCES + 1)
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
    rows = fetch_all(
        f"""
        WITH per_source AS (
            -- Read in source order from the referred leads' own index: no sort here.
            SELECT f.referral_source_id, count(*) AS referrals,
                count(*) FILTER (WHERE {REACHED_SCHEDULED}) AS scheduled,
                count(*) FILTER (WHERE {c.WON}) AS completed,
                count(*) FILTER (WHERE {c.LOST}) AS lost,
                count(*) FILTER (WHERE {c.REFERRED_ELSEWHERE}) AS referred_elsewhere,
                count(*) FILTER (WHERE {c.LOST} AND f.lost_reason = 'out_of_network')
                    AS out_of_network,
                count(*) FILTER (WHERE {c.LOST} AND f.lost_reason = 'declined_by_patient')
                    AS declined_by_patient,
                count(*) FILTER (WHERE {c.FEEDBACK_SENT}) AS feedback_sent,
                count(*) FILTER (WHERE {c.HAS_APPOINTMENT}) AS with_appointment
            FROM dashboards_leadfact f WHERE {where} AND {c.REFERRED}
            GROUP BY f.referral_source_id
        ), counted AS (
            SELECT GROUPING(p.referral_source_id) AS is_total, p.referral_source_id
                {"".join(f", COALESCE(sum(p.{name}), 0)::int AS {name}" for name in counts)}
            FROM per_source p
            GROUP BY GROUPING SETS ((), (p.referral_source_id))
        ), top AS (
            SELECT k.*, rs.name, rs.kind, h.status AS health
            FROM counted k
            LEFT JOIN referral_sources_referralsource rs ON rs.id = k.referral_source_id
            LEFT JOIN {health_table} h ON h.source_id = k.referral_source_id
            ORDER BY k.is_total DESC, k.referrals DESC, rs.name, k.referral_source_id
            LIMIT %(top)s
        )
        SELECT k.*, rs.name, rs.kind, h.status AS health
        FROM counted k
        LEFT JOIN referral_sources_referralsource rs ON rs.id = k.referral_source_id
        LEFT JOIN {health_table} h ON h.source_id = k.referral_source_id
        ORDER BY k.is_total DESC, k.referrals DESC, rs.name, k.referral_source_id
        LIMIT %(top)s
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    # Medians need the days themselves: each grouping reads the leads with an appointment
    # in order from its own index, side by side in parallel workers (a statement of their
    # own, as for response times).
    spread = fetch_all(
        f"""
        SELECT 1 AS is_total, NULL::bigint AS referral_source_id,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY o.days) AS median_days
        FROM (
            SELECT {c.DAYS_TO_APPOINTMENT} AS days FROM dashboards_leadfact f
            WHERE {where} AND {c.REFERRED} AND {c.DAYS_TO_APPOINTMENT} IS NOT NULL
            ORDER BY {c.DAYS_TO_APPOINTMENT}
        ) o
        UNION ALL
        SELECT 0, o.referral_source_id,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY o.days)
        FROM (
            SELECT f.referral_source_id, {c.DAYS_TO_APPOINTMENT} AS days
            FROM dashboards_leadfact f
            WHERE {where} AND {c.REFERRED} AND {c.DAYS_TO_APPOINTMENT} IS NOT NULL
            ORDER BY f.referral_source_id, {c.DAYS_TO_APPOINTMENT}
        ) o
        GROUP BY o.referral_source_id
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
        work_mem="128MB",
    )
    medians = {(r["is_total"], r["referral_source_id"]): r["median_days"] for r in spread}
    for row in rows:
        row["median_days"] = medians.get((row["is_total"], row["referral_source_id"]))
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
