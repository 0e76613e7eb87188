"""Geometry for the inline SVG charts (no charting library, nothing from a CDN). Each
chart in a template is drawn from these numbers and has a table with the same figures."""

import datetime as dt
from dataclasses import dataclass

from apps.referrals.figures import MonthVolume
from apps.referrals.models import LiaisonVisit

CHART_WIDTH = 600
CHART_HEIGHT = 160
AXIS_SPACE = 20  # room for the month labels under the bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: dt.date
    label: str
    value: int
    label_x: float
    visits: int  # liaison visits that month, drawn as a marker above the bar


def month_bars(volume: list[MonthVolume], *, visits: list[LiaisonVisit]) -> dict:
    """Bars for referrals per month, scaled to the busiest month, with the number of
    liaison visits in each month so the trend around visits can be seen."""
    slot = CHART_WIDTH / max(len(volume), 1)
    plot_height = CHART_HEIGHT - AXIS_SPACE - 14  # 14: room for the value above a bar
    top = max((month.referrals for month in volume), default=0) or 1
    visits_by_month: dict[tuple[int, int], int] = {}
    for visit in visits:
        key = (visit.visited_on.year, visit.visited_on.month)
        visits_by_month[key] = visits_by_month.get(key, 0) + 1
    bars = []
    for index, month in enumerate(volume):
        height = plot_height * month.referrals / top
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                y=round(CHART_HEIGHT - AXIS_SPACE - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                month=month.month,
                label=month.month.strftime("%b"),
                value=month.referrals,
                label_x=round(index * slot + slot / 2, 1),
                visits=visits_by_month.get((month.month.year, month.month.month), 0),
            )
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline_y": CHART_HEIGHT - AXIS_SPACE,
        "label_y": CHART_HEIGHT - 5,
    }
