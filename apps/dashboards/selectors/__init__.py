"""The manager dashboards' panels: one function each, taking the filters and returning
plain data. Every figure is aggregated in PostgreSQL over the rollups (DailyCounts and
DailyLineCounts for the funnel, trends, channels and lost reasons; ResponseDaily,
ReferralDaily and StallDaily for the response, referral and drop-off panels; LeadFact for
what those cannot answer), with the conditions in `conditions.py`, so the drill-down list
of a number selects exactly the leads it counted. A module per panel; this one gathers
them.

Medians and 90th percentiles are exactly PostgreSQL's percentile_cont over every lead
counted, never estimated from a histogram: the rollups' bins (value ranges holding about
as many leads each) only say in which range a rank falls; the values at and after the
rank are then read from LeadFact in order, from an index, within that range. A refresh
committing between a panel's two statements (response times, referrals) can shift a rank
by the leads it changed, for that one request.

Who is counted: the leads that came in during the period (hospital time zone) and
match the filters; merged duplicates are left out. Rates are percentages with one
decimal, None when there is nothing to divide by.
"""

from apps.dashboards.models import FactsRefresh
from apps.dashboards.selectors.counts import (
    ChannelQuality,
    ChannelQualityRow,
    CountsLayout,
    Funnel,
    FunnelRow,
    FunnelStage,
    TrendWeek,
    counts_layout,
    dashboard_channel_quality,
    dashboard_funnel,
    dashboard_trends,
)
from apps.dashboards.selectors.drop_off import (
    DropOff,
    LostReasonRow,
    StageStall,
    dashboard_drop_off,
)
from apps.dashboards.selectors.leads import (
    EXPORT_BATCH,
    PAGE_SIZE,
    DrillCondition,
    LeadsPage,
    dashboard_leads_export,
    dashboard_leads_page,
)
from apps.dashboards.selectors.overview import Overview, PeriodFigures, dashboard_overview
from apps.dashboards.selectors.referrals import (
    DECLINING_SHOWN,
    TOP_SOURCES,
    DecliningSource,
    ReferralSources,
    SourceFigures,
    dashboard_referral_sources,
)
from apps.dashboards.selectors.response import (
    ResponseFigures,
    ResponseTimes,
    dashboard_response_times,
)

__all__ = [
    "DECLINING_SHOWN",
    "EXPORT_BATCH",
    "PAGE_SIZE",
    "TOP_SOURCES",
    "ChannelQuality",
    "ChannelQualityRow",
    "CountsLayout",
    "DecliningSource",
    "DrillCondition",
    "DropOff",
    "Funnel",
    "FunnelRow",
    "FunnelStage",
    "LeadsPage",
    "LostReasonRow",
    "Overview",
    "PeriodFigures",
    "ReferralSources",
    "ResponseFigures",
    "ResponseTimes",
    "SourceFigures",
    "StageStall",
    "TrendWeek",
    "counts_layout",
    "dashboard_channel_quality",
    "dashboard_drop_off",
    "dashboard_funnel",
    "dashboard_leads_export",
    "dashboard_leads_page",
    "dashboard_overview",
    "dashboard_referral_sources",
    "dashboard_response_times",
    "dashboard_trends",
    "facts_freshness",
]


def facts_freshness() -> FactsRefresh | None:
    """When the rollups were last refreshed (shown on every dashboard page)."""
    return FactsRefresh.objects.filter(pk=1).first()
