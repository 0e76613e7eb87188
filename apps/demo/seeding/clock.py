"""Business time of one location for the demo generator: when intake is open, and what
a number of business minutes after a moment is. Times are integer epoch seconds.

A precomputed table of open windows makes each question a bisect, fast enough for a
million leads; the real SLA clock lives in its own app and reads the same data.
"""

import datetime as dt
import zoneinfo
from bisect import bisect_right


class BusinessClock:
    """Open windows (opens, closes) of one location over a span of days."""

    def __init__(
        self,
        *,
        time_zone: str,
        hours: dict[int, tuple[str, str]],
        holidays: set[dt.date],
        first_day: dt.date,
        last_day: dt.date,
    ) -> None:
        tz = zoneinfo.ZoneInfo(time_zone)
        self.opens: list[int] = []
        self.closes: list[int] = []
        day = first_day
        while day <= last_day:
            if day.weekday() in hours and day not in holidays:
                opens_at, closes_at = (dt.time.fromisoformat(t) for t in hours[day.weekday()])
                self.opens.append(int(dt.datetime.combine(day, opens_at, tz).timestamp()))
                self.closes.append(int(dt.datetime.combine(day, closes_at, tz).timestamp()))
            day += dt.timedelta(days=1)

    def add_minutes(self, start: int, minutes: float) -> int:
        """The moment `minutes` business minutes after `start`."""
        remaining = minutes * 60
        opens, closes = self.opens, self.closes
        index = bisect_right(closes, start)
        while index < len(closes):
            begin = start if start > opens[index] else opens[index]
            available = closes[index] - begin
            if remaining <= available:
                return int(begin + remaining)
            remaining -= available
            index += 1
        return int(start + remaining)  # past the table's end: count wall-clock time

    def is_open(self, moment: int) -> bool:
        index = bisect_right(self.closes, moment)
        return index < len(self.closes) and self.opens[index] <= moment

    def slot_on_or_after(self, moment: int, fraction: float) -> int:
        """A quarter-hour appointment slot in the first open day at or after `moment`,
        `fraction` of the way through the day (leaving the last hour free)."""
        index = bisect_right(self.closes, moment)
        if index >= len(self.closes):
            return moment
        opens, closes = self.opens[index], self.closes[index]
        span = max(closes - opens - 3600, 900)
        return opens + int(span * fraction) // 900 * 900
