"""Reads of the response clock: business-hours arithmetic and which policy a lead follows.

Business time is counted in the lead's location: its IANA time zone, its opening hours
per weekday (facilities.BusinessHours, local wall-clock times) and its holidays
(facilities.Holiday). Arithmetic is done in UTC between local opening and closing
instants, so days that are 23 or 25 hours long (daylight saving) count correctly.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When

from apps.facilities.models import Location
from apps.leads.choices import Urgency
from apps.leads.models import Lead
from apps.servicelines.models import ServiceLine
from apps.sla.models import (
    DEFAULT_FALLBACK_AFTER_BREACH_MINUTES,
    DEFAULT_MISSED_CALL_RETURN_MINUTES,
    DEFAULT_OWNER_NOTICE_PERCENT,
    LeadEscalation,
    ResponsePolicy,
)

# Hours used when a lead has no location: the hospital's own time zone, Mon-Fri 08-17.
DEFAULT_OPENS_AT = dt.time(8, 0)
DEFAULT_CLOSES_AT = dt.time(17, 0)
DEFAULT_WEEKDAYS = (0, 1, 2, 3, 4)
# A location whose every day for a year is closed is misconfigured; stop looking.
MAX_DAYS_AHEAD = 400

Window = tuple[dt.time, dt.time]


@dataclass(frozen=True)
class OpeningSchedule:
    """When one location answers: its time zone, hours by weekday, and closed dates."""

    time_zone: zoneinfo.ZoneInfo
    hours_by_weekday: dict[int, Window]
    holidays: frozenset[dt.date]

    def window_on(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's opening and closing instants in UTC, or None when closed."""
        if day in self.holidays:
            return None
        hours = self.hours_by_weekday.get(day.weekday())
        if hours is None:
            return None
        opens_at, closes_at = hours
        opens = dt.datetime.combine(day, opens_at, tzinfo=self.time_zone)
        if closes_at == dt.time(0, 0) or closes_at == dt.time.max:
            closes = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), self.time_zone)
        else:
            closes = dt.datetime.combine(day, closes_at, tzinfo=self.time_zone)
        return opens.astimezone(dt.UTC), closes.astimezone(dt.UTC)


def opening_schedule_for(*, location: Location | None) -> OpeningSchedule:
    """The schedule business time is counted in.

    - No location: settings.TIME_ZONE, Monday to Friday 08:00-17:00, no holidays.
    - A location with no business hours configured: open around the clock every day
      except its holidays (a 24/7 site such as an emergency department).
    - Otherwise the location's weekday hours and holidays, in its time zone.

    Uses `location.business_hours.all()` and `location.holidays.all()`, so callers that
    compute many due times can prefetch both.
    """
    if location is None:
        window = (DEFAULT_OPENS_AT, DEFAULT_CLOSES_AT)
        return OpeningSchedule(
            time_zone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
            hours_by_weekday={weekday: window for weekday in DEFAULT_WEEKDAYS},
            holidays=frozenset(),
        )
    hours = {row.weekday: (row.opens_at, row.closes_at) for row in location.business_hours.all()}
    if not hours:
        hours = {weekday: (dt.time(0, 0), dt.time.max) for weekday in range(7)}
    return OpeningSchedule(
        time_zone=zoneinfo.ZoneInfo(location.time_zone),
        hours_by_weekday=hours,
        holidays=frozenset(holiday.date for holiday in location.holidays.all()),
    )


def business_time_add(
    *, location: Location | None, start: dt.datetime, minutes: float
) -> dt.datetime:
    """The instant `minutes` business minutes after `start` at `location` (aware, UTC).

    Time before opening, after closing, on closed weekdays and on holidays does not
    count: a 240-minute target started Friday 17:55 at a Mon-Fri 08:00-17:00 location
    ends Monday 12:00. A result that lands exactly on closing time stays there rather
    than moving to the next opening. See `opening_schedule_for` for the rules used when
    the lead has no location (settings.TIME_ZONE, Mon-Fri 08-17) or the location has no
    hours configured (open 24/7 apart from holidays). `minutes <= 0` returns `start`.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    return schedule_time_add(
        schedule=opening_schedule_for(location=location), start=start, minutes=minutes
    )


def schedule_time_add(
    *, schedule: OpeningSchedule, start: dt.datetime, minutes: float
) -> dt.datetime:
    """`business_time_add` on an already loaded schedule (no queries)."""
    start = start.astimezone(dt.UTC)
    remaining = dt.timedelta(minutes=minutes)
    if remaining <= dt.timedelta(0):
        return start
    day = start.astimezone(schedule.time_zone).date()
    for _ in range(MAX_DAYS_AHEAD):
        window = schedule.window_on(day)
        day += dt.timedelta(days=1)
        if window is None:
            continue
        opens, closes = window
        cursor = max(start, opens)
        if cursor >= closes:
            continue
        available = closes - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
    raise ValueError(f"No business hours within {MAX_DAYS_AHEAD} days; check the location setup.")


@dataclass(frozen=True)
class ResponseTarget:
    """What a lead is held to: the target, how it is counted, and its escalation chain."""

    minutes: int
    business_hours: bool
    owner_notice_percent: int | None
    alert_at_breach: bool
    fallback_after_breach_minutes: int | None
    missed_call_return_minutes: int
    policy_id: int | None


def response_policy_for_lead(*, lead: Lead) -> ResponsePolicy | None:
    """The most specific active policy of the lead's service line, or None.

    Specificity: urgency and lead type both matching, then urgency alone, then lead
    type alone, then the service line's catch-all (both empty). Urgency ranks above
    lead type because it is what the target is about.
    """
    return (
        ResponsePolicy.objects.filter(
            Q(urgency=lead.urgency) | Q(urgency=""),
            Q(lead_type=lead.lead_type) | Q(lead_type=""),
            service_line_id=lead.service_line_id,
            is_active=True,
        )
        .annotate(
            specificity=Case(When(~Q(urgency=""), then=Value(2)), default=Value(0))
            + Case(
                When(~Q(lead_type=""), then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-specificity")
        .first()
    )


def response_target_for_lead(*, lead: Lead) -> ResponseTarget:
    """How a lead's target is worked out (apps.sla.services.lead_response_target is the
    one way callers get it): its policy, with the service
    line's default minutes for the urgency where the policy sets none (or no policy
    matches) and the house defaults (75% notice, fallback 30 min after breach, missed
    call 30 min) without a policy. Urgent leads count wall-clock minutes."""
    policy = response_policy_for_lead(lead=lead)
    service_line = lead.service_line
    default_minutes = {
        Urgency.URGENT: service_line.urgent_response_minutes,
        Urgency.SOON: service_line.soon_response_minutes,
        Urgency.ROUTINE: service_line.routine_response_minutes,
    }[lead.urgency]
    business_hours = lead.urgency != Urgency.URGENT
    if policy is None:
        return ResponseTarget(
            minutes=default_minutes,
            business_hours=business_hours,
            owner_notice_percent=DEFAULT_OWNER_NOTICE_PERCENT,
            alert_at_breach=True,
            fallback_after_breach_minutes=DEFAULT_FALLBACK_AFTER_BREACH_MINUTES,
            missed_call_return_minutes=DEFAULT_MISSED_CALL_RETURN_MINUTES,
            policy_id=None,
        )
    return ResponseTarget(
        minutes=policy.target_minutes or default_minutes,
        business_hours=business_hours,
        owner_notice_percent=policy.owner_notice_percent,
        alert_at_breach=policy.alert_at_breach,
        fallback_after_breach_minutes=policy.fallback_after_breach_minutes,
        missed_call_return_minutes=policy.missed_call_return_minutes,
        policy_id=policy.pk,
    )


def response_policy_list():
    """Every response policy, for the managers' page."""
    return ResponsePolicy.objects.select_related("service_line").order_by(
        "service_line__name", "urgency", "lead_type"
    )


def service_line_targets_list():
    """Every service line's default first-response targets, for the managers' page."""
    return ServiceLine.objects.order_by("name").only(
        "name", "is_active", "urgent_response_minutes", "soon_response_minutes",
        "routine_response_minutes",
    )  # fmt: skip


def escalations_for_lead(*, lead: Lead) -> list[LeadEscalation]:
    """The lead's escalation steps, soonest due first, done or not."""
    return list(
        LeadEscalation.objects.filter(lead=lead).select_related("activity").order_by("due_at", "id")
    )
