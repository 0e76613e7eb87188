"""What every dashboard panel is narrowed by: a period and up to five dimensions.

The period is in days of the hospital's reporting time zone (settings.TIME_ZONE): a
lead belongs to the day it came in there. In URLs filters travel as dates, slugs,
codes and ids only: nothing about a person.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class DashboardFilters:
    start: dt.date
    end: dt.date  # inclusive
    service_line_id: int | None = None
    service_line_slug: str = ""
    location_id: int | None = None
    location_slug: str = ""
    channel: str = ""
    lead_type: str = ""
    referral_source_id: int | None = None
    period: str = ""  # a preset of PERIODS, or "" for a custom range

    @property
    def starts_at(self) -> dt.datetime:
        return _local_midnight(self.start)

    @property
    def ends_before(self) -> dt.datetime:
        return _local_midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query_params(self) -> dict[str, str]:
        """The filters as query-string parameters, for links and exports."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.service_line_slug:
            params["service_line"] = self.service_line_slug
        if self.location_slug:
            params["location"] = self.location_slug
        if self.channel:
            params["channel"] = self.channel
        if self.lead_type:
            params["lead_type"] = self.lead_type
        if self.referral_source_id:
            params["referral_source"] = str(self.referral_source_id)
        if self.period:
            # The dates stay in the link too: a drill-down list counts the same days.
            params["period"] = self.period
        return params

    def previous(self) -> "DashboardFilters":
        """The period the overview compares this one with, same filters: the same
        stretch of the quarter or year before for "this quarter" and "year to date"
        (Oct 1-Nov 15 against Jul 1-Aug 15), else as many days just before."""
        if self.period in ("quarter", "year"):
            start = _months_before(self.start, 3 if self.period == "quarter" else 12)
            # As many days as this period, so counts compare like with like.
            return replace(self, start=start, end=start + (self.end - self.start))
        end = self.start - dt.timedelta(days=1)
        return replace(self, start=end - dt.timedelta(days=self.days - 1), end=end)

    def narrowed(self, **changes) -> "DashboardFilters":
        return replace(self, **changes)


# The date presets of the dashboards: (key, label). A custom range has no key.
PERIODS = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("quarter", "This quarter"),
    ("year", "Year to date"),
]
DEFAULT_PERIOD = "90"


def period_dates(period: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a preset, up to and including today."""
    if period == "quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if period == "year":
        return dt.date(today.year, 1, 1), today
    return today - dt.timedelta(days=int(period) - 1), today


def _months_before(day: dt.date, months: int) -> dt.date:
    """The 1st of the month `months` before `day`'s (the quarter and year presets start
    on a 1st)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def reporting_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=reporting_zone())
