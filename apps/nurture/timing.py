"""When a step may happen: waits in the business time of the lead's location, quiet
hours in its time zone, and the per-person weekly cap.

Business hours come from apps.sla (one business-hours calculator in the product).
"""

import datetime as dt
import zoneinfo

from django.conf import settings

from apps.facilities.models import Location
from apps.nurture.choices import SendStatus, StepAction, WaitUnit
from apps.nurture.models import NurtureSend
from apps.nurture.quiet_hours import quiet_hours_parse
from apps.sla.selectors import MAX_DAYS_AHEAD, business_time_add, opening_schedule_for

CAP_WINDOW = dt.timedelta(days=7)
MESSAGE_CHANNELS = (StepAction.EMAIL, StepAction.SMS)


def step_due_at(
    *, location: Location | None, start: dt.datetime, amount: int, unit: str
) -> dt.datetime:
    """The instant a step waiting `amount` business hours or days from `start` is due.

    Hours count only open hours (apps.sla.business_time_add). Days count open days of
    the location: two business days from Friday 15:00 is Tuesday 15:00, kept inside that
    day's opening hours (a wait started after closing lands at the next day's close).
    """
    if amount <= 0:
        return start
    if unit == WaitUnit.BUSINESS_HOURS:
        return business_time_add(location=location, start=start, minutes=amount * 60)
    schedule = opening_schedule_for(location=location)
    local = start.astimezone(schedule.time_zone)
    day, counted, window = local.date(), 0, None
    for _ in range(MAX_DAYS_AHEAD):
        day += dt.timedelta(days=1)
        window = schedule.window_on(day)
        if window is not None:
            counted += 1
            if counted == amount:
                break
    if window is None:  # a location closed for a year: wait calendar days instead
        return start + dt.timedelta(days=amount)
    opens, closes = window
    same_time = dt.datetime.combine(day, local.time(), tzinfo=schedule.time_zone)
    return min(max(same_time.astimezone(dt.UTC), opens), closes)


def location_time_zone(location: Location | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(location.time_zone if location else settings.TIME_ZONE)


def quiet_hours_end(*, location: Location | None, at: dt.datetime) -> dt.datetime | None:
    """When `at` falls in the quiet hours of the location's time zone, the instant they
    end (UTC); otherwise None. Quiet hours may run past midnight (20:00-08:00)."""
    window = quiet_hours_parse(settings.NURTURE_QUIET_HOURS)
    if window is None:
        return None
    start, end = window
    time_zone = location_time_zone(location)
    local = at.astimezone(time_zone)
    now = local.time()
    if start < end:
        inside = start <= now < end
        end_day = local.date()
    else:
        inside = now >= start or now < end
        end_day = local.date() + dt.timedelta(days=1) if now >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=time_zone).astimezone(dt.UTC)


def weekly_cap_frees_at(*, sent_at: list[dt.datetime], at: dt.datetime) -> dt.datetime | None:
    """Given when a person's messages of the last seven days went out, None when one
    more may go at `at`, or else the instant enough of them are a week old."""
    cap = settings.NURTURE_WEEKLY_MESSAGE_CAP
    recent = sorted(moment for moment in sent_at if moment > at - CAP_WINDOW)
    if cap <= 0 or len(recent) < cap:
        return None
    return recent[len(recent) - cap] + CAP_WINDOW


def messages_sent_to(*, person_id: int, at: dt.datetime) -> list[dt.datetime]:
    """Send times of the person's messages (email and SMS) in the cap window."""
    return list(
        NurtureSend.objects.filter(
            person_id=person_id,
            status=SendStatus.SENT,
            sent_at__gt=at - CAP_WINDOW,
            channel__in=MESSAGE_CHANNELS,
        ).values_list("sent_at", flat=True)
    )


def send_hold(
    *, send: NurtureSend, sent_times: dict[int, list], now: dt.datetime
) -> tuple[dt.datetime | None, str]:
    """(when the send may go, why it waits) or (None, "") when it may go now. Call
    tasks are for staff, so quiet hours and the cap apply to messages only."""
    if send.channel not in MESSAGE_CHANNELS:
        return None, ""
    quiet_end = quiet_hours_end(location=send.enrollment.lead.location, at=now)
    if quiet_end is not None:
        return quiet_end, "quiet_hours"
    cap_frees = weekly_cap_frees_at(sent_at=sent_times.get(send.person_id, []), at=now)
    if cap_frees is not None:
        return cap_frees, "weekly_cap"
    return None, ""
