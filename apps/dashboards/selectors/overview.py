"""The overview: the few numbers a manager reads first, for the period and the one before.

Each figure is the one its panel shows for the same filters (new leads and conversion to
scheduled as on the funnel, median first response and share within target as on the
response panel, referrals and leakage as on the referral panel), summed from the same
rollups under the same conditions, but for all leads only: no per-team, per-owner or
per-source rows. Two statements a period: the sums, then the median's two values.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import RESPONSE_BINS
from apps.dashboards.query import cohort_where, fetch_all, one_decimal, rate, rollup_where
from apps.dashboards.selectors.base import now_or
from apps.dashboards.selectors.counts import _reached_column, counts_layout, counts_source
from apps.dashboards.selectors.response import response_percentiles, response_source
from apps.pipeline.choices import DefaultStage


@dataclass(frozen=True)
class PeriodFigures:
    """The overview's figures of one period."""

    start: dt.date
    end: dt.date
    leads: int
    scheduled: int
    median_response_minutes: Decimal | None
    within_target: int  # answered by the due time
    missed_target: int  # answered late, or unanswered past the due time
    referrals: int
    referrals_lost: int

    @property
    def lead_to_scheduled(self) -> Decimal | None:
        return rate(self.scheduled, self.leads)

    @property
    def within_target_rate(self) -> Decimal | None:
        """As the response panel's share within SLA: leads still inside their window
        are neither met nor missed yet."""
        return rate(self.within_target, self.within_target + self.missed_target)

    @property
    def leakage_rate(self) -> Decimal | None:
        return rate(self.referrals_lost, self.referrals)


@dataclass(frozen=True)
class Overview:
    current: PeriodFigures
    previous: PeriodFigures


def dashboard_overview(*, filters: DashboardFilters, now: dt.datetime | None = None) -> Overview:
    """The overview's figures for the period of `filters` and the period before it
    (DashboardFilters.previous), with the same filters."""
    now = now_or(now)
    layout = counts_layout()
    return Overview(
        current=_period_figures(filters, layout=layout, now=now),
        previous=_period_figures(filters.previous(), layout=layout, now=now),
    )


def _period_figures(filters: DashboardFilters, *, layout, now: dt.datetime) -> PeriodFigures:
    where, params = cohort_where(filters, now=now)
    # The three sources share their parameter names and, for one set of filters, values.
    counts, counts_params = counts_source(filters, layout=layout, now=now)
    response, response_params = response_source(filters, where=where)
    referred, referred_params = rollup_where(filters, keys=("referral_source_id",))
    for more in (counts_params, response_params, referred_params):
        params.update(more)
    scheduled = _reached_column(layout.stages, DefaultStage.SCHEDULED)
    bins = "".join(f", COALESCE(sum(src.h{i}), 0)::int AS h{i}" for i in range(RESPONSE_BINS))
    rows = fetch_all(
        f"""
        WITH counted AS (
            SELECT COALESCE(sum(src.leads), 0)::int AS leads,
                COALESCE(sum({scheduled}), 0)::int AS scheduled
            FROM ({counts}) src
        ), referred AS (
            SELECT COALESCE(sum(r.referrals), 0)::int AS referrals,
                COALESCE(sum(r.lost), 0)::int AS referrals_lost
            FROM dashboards_referraldaily r WHERE {referred}
        ), responded AS (
            SELECT COALESCE(sum(src.answered), 0)::int AS answered,
                COALESCE(sum(src.sla_met), 0)::int AS sla_met,
                COALESCE(sum(src.answered_late), 0)::int AS answered_late,
                COALESCE(sum(src.unanswered_due), 0)::int AS unanswered_due {bins}
            FROM ({response}) src
        )
        SELECT counted.*, referred.*, responded.*,
            (SELECT count(*) FROM dashboards_leadfact f
             WHERE {where} AND {c.SLA_PENDING})::int AS pending,
            (SELECT r.response_edges FROM dashboards_factsrefresh r WHERE r.id = 1) AS edges
        FROM counted, referred, responded
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    row = rows[0]
    # The median exactly as the response panel computes it, for all leads only.
    row.update(all_teams=1, all_owners=1)
    median_seconds = (response_percentiles([row], where=where, params=params).get(0) or [None])[0]
    return PeriodFigures(
        start=filters.start,
        end=filters.end,
        leads=row["leads"],
        scheduled=row["scheduled"],
        median_response_minutes=one_decimal(
            median_seconds / 60 if median_seconds is not None else None
        ),
        within_target=row["sla_met"],
        missed_target=row["answered_late"] + row["unanswered_due"] - row["pending"],
        referrals=row["referrals"],
        referrals_lost=row["referrals_lost"],
    )
