"""The overview's headline figures: this period against the one before, each linking to
the panel that explains it (with the same filters)."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format

from apps.core.readable import duration_text
from apps.dashboards import selectors as s
from apps.dashboards.filters import PERIODS, DashboardFilters
from apps.dashboards.tables.base import Cell


@dataclass(frozen=True)
class Headline:
    label: str
    current: Cell
    previous: Cell
    change: str  # "Up 12% from 412", "Down 8 min from 1 h 5 min", "No figure before"
    tone: str  # "better", "worse" or "" (no change, or nothing to compare)
    href: str  # the panel explaining the figure
    panel: str  # its title


@dataclass(frozen=True)
class OverviewView:
    period: str  # "Last 30 days, Nov 8 to Dec 7, 2026" (with an en dash)
    compared_with: str  # "Oct 9 to Nov 7, 2026"
    headlines: list[Headline]


def overview_view(overview: s.Overview, filters: DashboardFilters) -> OverviewView:
    now, before = overview.current, overview.previous
    query = urlencode(filters.query_params())

    def panel(slug: str) -> str:
        return f"{reverse('dashboards:panel', args=[slug])}?{query}"

    def headline(label, slug, title, unit, current, previous, *, higher_is_better=True):
        cell, earlier = Cell(current, unit=unit), Cell(previous, unit=unit)
        change, direction = _change(current, previous, unit=unit)
        tone = (
            "" if not direction else ("better" if (direction > 0) == higher_is_better else "worse")
        )
        return Headline(label, cell, earlier, change, tone, panel(slug), title)

    headlines = [
        headline("New leads", "funnel", "Funnel", "", now.leads, before.leads),
        headline(
            "Conversion to scheduled",
            "funnel",
            "Funnel",
            "%",
            now.lead_to_scheduled,
            before.lead_to_scheduled,
        ),
        headline(
            "Median first response",
            "response",
            "Response time",
            "min",
            now.median_response_minutes,
            before.median_response_minutes,
            higher_is_better=False,
        ),
        headline(
            "Answered within target",
            "response",
            "Response time",
            "%",
            now.within_target_rate,
            before.within_target_rate,
        ),
        headline(
            "Referral leakage",
            "referrals",
            "Referral sources",
            "%",
            now.leakage_rate,
            before.leakage_rate,
            higher_is_better=False,
        ),
        headline(
            "Referred leads", "referrals", "Referral sources", "", now.referrals, before.referrals
        ),
    ]
    preset = dict(PERIODS).get(filters.period, "")
    span = _range(now.start, now.end)
    return OverviewView(
        period=f"{preset}, {span}" if preset else span,
        compared_with=_range(before.start, before.end),
        headlines=headlines,
    )


def _range(start, end) -> str:
    if start == end:
        return date_format(start, "SHORT_DATE_FORMAT")
    first = date_format(
        start, "MONTH_DAY_FORMAT" if start.year == end.year else "SHORT_DATE_FORMAT"
    )
    return f"{first} \N{EN DASH} {date_format(end, 'SHORT_DATE_FORMAT')}"


def _change(current, previous, *, unit: str) -> tuple[str, int]:
    """The change in words and its direction (1 up, -1 down, 0 none or unknown): counts
    in percent of before, rates in percentage points, times in time."""
    if current is None or previous is None:
        return ("No figure for the period before" if current is not None else "", 0)
    difference = Decimal(current) - Decimal(previous)
    direction = (difference > 0) - (difference < 0)
    if unit == "%":
        before = f"{previous}%"
        amount = f"{abs(difference):.1f} points"
    elif unit == "min":
        before = duration_text(float(previous))
        amount = duration_text(float(abs(difference)))
    elif previous:
        before = f"{previous:,}"
        share = abs(difference) * 100 / Decimal(previous)
        amount = f"{share:.1f}%" if share < 10 else f"{share:.0f}%"
    else:
        return ("None in the period before" if current else "None in either period", direction)
    if not direction:
        return (f"Same as the period before ({before})", 0)
    return (f"{'Up' if direction > 0 else 'Down'} {amount} from {before}", direction)
