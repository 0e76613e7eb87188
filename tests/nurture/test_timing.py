"""Waits in business hours and days of the lead's location, and quiet hours."""

import datetime as dt
import zoneinfo

import pytest

from apps.nurture.choices import WaitUnit
from apps.nurture.timing import quiet_hours_end, step_due_at, weekly_cap_frees_at
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "due"),
    [
        (chicago(2025, 6, 10, 10, 0), 0, WaitUnit.BUSINESS_DAYS, chicago(2025, 6, 10, 10, 0)),
        (chicago(2025, 6, 10, 10, 0), 2, WaitUnit.BUSINESS_DAYS, chicago(2025, 6, 12, 10, 0)),
        (chicago(2025, 6, 13, 15, 0), 2, WaitUnit.BUSINESS_DAYS, chicago(2025, 6, 17, 15, 0)),
        (chicago(2025, 6, 10, 19, 0), 1, WaitUnit.BUSINESS_DAYS, chicago(2025, 6, 11, 17, 0)),
        (chicago(2025, 6, 10, 6, 0), 1, WaitUnit.BUSINESS_DAYS, chicago(2025, 6, 11, 8, 0)),
        (chicago(2025, 6, 10, 15, 30), 3, WaitUnit.BUSINESS_HOURS, chicago(2025, 6, 11, 9, 30)),
        (chicago(2025, 6, 13, 16, 0), 2, WaitUnit.BUSINESS_HOURS, chicago(2025, 6, 16, 9, 0)),
        (chicago(2025, 7, 3, 12, 0), 1, WaitUnit.BUSINESS_DAYS, chicago(2025, 7, 7, 12, 0)),
    ],
    ids=[
        "no-wait",
        "two-days-midweek",
        "friday-to-tuesday",
        "after-closing-lands-at-close",
        "before-opening-lands-at-open",
        "three-hours-overnight",
        "two-hours-over-the-weekend",
        "holiday-skipped",
    ],
)
def test_step_waits_in_business_time_of_the_location(campus, start, amount, unit, due):
    campus.holidays.create(date=dt.date(2025, 7, 4), name="Independence Day")

    assert step_due_at(location=campus, start=start, amount=amount, unit=unit) == due


@pytest.mark.parametrize(
    ("local", "time_zone", "quiet_until"),
    [
        (dt.datetime(2025, 6, 10, 19, 59), "America/Chicago", None),
        (dt.datetime(2025, 6, 10, 20, 0), "America/Chicago", dt.datetime(2025, 6, 11, 8, 0)),
        (dt.datetime(2025, 6, 10, 23, 30), "America/Chicago", dt.datetime(2025, 6, 11, 8, 0)),
        (dt.datetime(2025, 6, 11, 7, 59), "America/Chicago", dt.datetime(2025, 6, 11, 8, 0)),
        (dt.datetime(2025, 6, 11, 8, 0), "America/Chicago", None),
        (dt.datetime(2025, 6, 10, 21, 0), "America/Los_Angeles", dt.datetime(2025, 6, 11, 8, 0)),
        # Clocks spring forward at 02:00 on March 9: quiet hours still end at 08:00 local.
        (dt.datetime(2025, 3, 8, 22, 0), "America/Chicago", dt.datetime(2025, 3, 9, 8, 0)),
    ],
    ids=["before", "starts", "late-evening", "early-morning", "ends", "pacific", "dst-change"],
)
def test_quiet_hours_are_counted_in_the_location_time_zone(local, time_zone, quiet_until):
    zone = zoneinfo.ZoneInfo(time_zone)
    location = LocationFactory(time_zone=time_zone)

    end = quiet_hours_end(location=location, at=local.replace(tzinfo=zone))

    assert end == (quiet_until.replace(tzinfo=zone) if quiet_until else None)


def test_same_instant_is_quiet_in_new_york_but_not_in_los_angeles():
    instant = dt.datetime(2025, 6, 11, 0, 30, tzinfo=dt.UTC)  # 20:30 New York, 17:30 LA

    assert quiet_hours_end(location=LocationFactory(time_zone="America/New_York"), at=instant)
    assert (
        quiet_hours_end(location=LocationFactory(time_zone="America/Los_Angeles"), at=instant)
        is None
    )


def test_quiet_hours_can_be_switched_off(settings, campus):
    settings.NURTURE_QUIET_HOURS = "off"

    assert quiet_hours_end(location=campus, at=chicago(2025, 6, 10, 23, 0)) is None


@pytest.mark.parametrize(
    ("sent_days_ago", "cap", "frees_in_days"),
    [
        ([6, 3], 3, None),
        ([6, 3, 1], 3, 1),
        ([8, 3, 1], 3, None),  # the oldest is more than a week old
        ([6, 5, 3, 1], 3, 2),
        ([6, 3, 1], 0, None),  # 0: no cap
    ],
)
def test_weekly_cap(settings, sent_days_ago, cap, frees_in_days):
    settings.NURTURE_WEEKLY_MESSAGE_CAP = cap
    now = dt.datetime(2025, 6, 10, 15, 0, tzinfo=dt.UTC)

    frees = weekly_cap_frees_at(
        sent_at=[now - dt.timedelta(days=days) for days in sent_days_ago], at=now
    )

    assert frees == (now + dt.timedelta(days=frees_in_days) if frees_in_days else None)
