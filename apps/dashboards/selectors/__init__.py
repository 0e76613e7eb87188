"""The manager dashboards' panels: one function each, taking the filters and returning
plain data. Every figure is aggregated in PostgreSQL over the rollups (DailyCounts and
DailyLineCounts for counts, LeadFact for medians and anything "as of now"), with the
conditions in `conditions.py`, so the drill-down list of a number selects exactly the
leads it counted. A module per panel; this one gathers them.

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
    "dashboard_referral_sources",
    "dashboard_response_times",
    "dashboard_trends",
    "facts_freshness",
]


def facts_freshness() -> FactsRefresh | None:
    """When the rollups were last refreshed (shown on every dashboard page)."""
    return FactsRefresh.objects.filter(pk=1).first()
