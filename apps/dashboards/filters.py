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
        return params

    def narrowed(self, **changes) -> "DashboardFilters":
        return replace(self, **changes)


def reporting_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=reporting_zone())
