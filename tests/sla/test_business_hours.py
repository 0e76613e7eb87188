"""Business-hours arithmetic: weekends, holidays, time zones and daylight saving.

Expected answers are computed by hand and written in the location's local time with
its UTC offset, so a daylight-saving mistake shows as a one-hour difference.
"""

import datetime as dt

import pytest

from apps.sla.selectors import business_time_add
from tests.factories import BusinessHoursFactory, LocationFactory
from tests.sla.factories import HolidayFactory

pytestmark = pytest.mark.django_db


def at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def location_with_hours(*, time_zone: str, hours: dict[int, tuple[str, str]], holidays=()):
    location = LocationFactory(time_zone=time_zone)
    for weekday, (opens_at, closes_at) in hours.items():
        BusinessHoursFactory(
            location=location, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )
    for day in holidays:
        HolidayFactory(location=location, date=dt.date.fromisoformat(day))
    return location


WEEKDAYS_8_TO_5 = {weekday: ("08:00", "17:00") for weekday in range(5)}


@pytest.fixture
def new_york():
    """Mon-Fri 08:00-17:00 in New York; closed July 4 (a Friday) and Thanksgiving."""
    return location_with_hours(
        time_zone="America/New_York",
        hours=WEEKDAYS_8_TO_5,
        holidays=["2025-07-04", "2025-11-27"],
    )


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param("2025-06-10T09:00-04:00", 60, "2025-06-10T10:00-04:00", id="within-a-day"),
        pytest.param("2025-06-10T13:00-04:00", 240, "2025-06-10T17:00-04:00", id="ends-at-close"),
        pytest.param("2025-06-10T06:30-04:00", 30, "2025-06-10T08:30-04:00", id="before-opening"),
        pytest.param("2025-06-10T18:00-04:00", 30, "2025-06-11T08:30-04:00", id="after-closing"),
        pytest.param(
            "2025-06-13T17:55-04:00", 240, "2025-06-16T12:00-04:00", id="friday-1755-to-monday"
        ),
        pytest.param("2025-06-13T16:00-04:00", 120, "2025-06-16T09:00-04:00", id="over-weekend"),
        pytest.param("2025-06-14T10:00-04:00", 60, "2025-06-16T09:00-04:00", id="on-saturday"),
        pytest.param("2025-06-15T23:59-04:00", 1, "2025-06-16T08:01-04:00", id="sunday-night"),
        pytest.param(
            "2025-07-03T16:30-04:00", 60, "2025-07-07T08:30-04:00", id="holiday-before-weekend"
        ),
        pytest.param("2025-07-04T10:00-04:00", 15, "2025-07-07T08:15-04:00", id="on-a-holiday"),
        pytest.param(
            "2025-11-26T16:00-05:00", 120, "2025-11-28T09:00-05:00", id="thanksgiving-skipped"
        ),
        pytest.param("2025-06-09T09:00-04:00", 1620, "2025-06-12T09:00-04:00", id="three-day-span"),
        pytest.param(
            "2025-06-13T08:00-04:00", 2700, "2025-06-19T17:00-04:00", id="five-days-end-at-close"
        ),
        pytest.param(
            "2025-03-07T16:00-05:00", 120, "2025-03-10T09:00-04:00", id="spring-forward-weekend"
        ),
        pytest.param(
            "2025-10-31T16:00-04:00", 120, "2025-11-03T09:00-05:00", id="fall-back-weekend"
        ),
        pytest.param(
            "2025-03-05T09:00-05:00", 2700, "2025-03-12T09:00-04:00", id="week-across-dst"
        ),
        pytest.param("2025-06-10T21:30+00:00", 30, "2025-06-11T08:30-04:00", id="start-in-utc"),
        pytest.param("2025-06-10T11:00-04:00", 0, "2025-06-10T11:00-04:00", id="zero-minutes"),
        pytest.param("2025-06-10T11:00-04:00", 7.5, "2025-06-10T11:07:30-04:00", id="fraction"),
    ],
)
def test_business_time_add_in_new_york(new_york, start, minutes, expected):
    assert business_time_add(location=new_york, start=at(start), minutes=minutes) == at(expected)


def test_routine_lead_received_friday_evening_is_due_monday_morning(new_york):
    due = business_time_add(location=new_york, start=at("2025-06-13T17:55-04:00"), minutes=240)

    assert due.astimezone(dt.UTC) == at("2025-06-16T16:00+00:00")
    assert due.astimezone(dt.UTC).tzinfo == dt.UTC


@pytest.mark.parametrize(
    ("time_zone", "hours", "holidays", "start", "minutes", "expected"),
    [
        pytest.param(
            "America/Los_Angeles",
            WEEKDAYS_8_TO_5,
            [],
            "2025-06-13T17:30-04:00",  # 14:30 in Los Angeles: still open there
            60,
            "2025-06-13T15:30-07:00",
            id="los-angeles-same-instant-still-open",
        ),
        pytest.param(
            "Europe/Berlin",
            WEEKDAYS_8_TO_5,
            [],
            "2025-03-28T16:30+01:00",  # Berlin springs forward on Sunday 2025-03-30
            60,
            "2025-03-31T08:30+02:00",
            id="berlin-spring-forward",
        ),
        pytest.param(
            "America/Chicago",
            {**WEEKDAYS_8_TO_5, 5: ("09:00", "13:00")},
            [],
            "2025-06-13T16:30-05:00",
            60,
            "2025-06-14T09:30-05:00",
            id="saturday-morning-hours",
        ),
        pytest.param(
            "America/Chicago",
            {0: ("07:00", "19:00"), 2: ("10:00", "14:00")},
            [],
            "2025-06-09T18:00-05:00",
            301,  # 60 on Monday, 240 on Wednesday, the last minute the next Monday
            "2025-06-16T07:01-05:00",
            id="uneven-days-skip-closed-weekdays",
        ),
        pytest.param(
            "America/New_York",
            {},
            [],
            "2025-03-08T23:00-05:00",
            240,
            "2025-03-09T04:00-04:00",
            id="no-hours-means-24-7-across-spring-forward",
        ),
        pytest.param(
            "America/New_York",
            {},
            ["2025-12-25"],
            "2025-12-24T23:00-05:00",
            120,
            "2025-12-26T01:00-05:00",
            id="no-hours-24-7-still-closed-on-holiday",
        ),
        pytest.param(
            "America/New_York",
            {},
            [],
            "2025-11-02T00:30-04:00",
            120,
            "2025-11-02T01:30-05:00",
            id="no-hours-24-7-across-fall-back",
        ),
    ],
)
def test_business_time_add_by_location_setup(time_zone, hours, holidays, start, minutes, expected):
    location = location_with_hours(time_zone=time_zone, hours=hours, holidays=holidays)

    assert business_time_add(location=location, start=at(start), minutes=minutes) == at(expected)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(
            "2025-06-13T17:55-04:00", 240, "2025-06-16T12:00-04:00", id="friday-to-monday"
        ),
        pytest.param("2025-06-10T07:00-04:00", 60, "2025-06-10T09:00-04:00", id="before-8"),
    ],
)
def test_lead_without_location_counts_new_york_weekdays_8_to_5(settings, start, minutes, expected):
    settings.TIME_ZONE = "America/New_York"

    assert business_time_add(location=None, start=at(start), minutes=minutes) == at(expected)


def test_naive_start_is_refused(new_york):
    with pytest.raises(ValueError, match="aware"):
        business_time_add(location=new_york, start=dt.datetime(2025, 6, 10, 9), minutes=10)


def test_location_closed_every_day_of_the_year_is_reported():
    # Open on Thursdays only, and every Thursday for more than a year is a holiday.
    location = location_with_hours(
        time_zone="America/New_York",
        hours={3: ("08:00", "17:00")},
        holidays=[str(dt.date(2025, 6, 12) + dt.timedelta(weeks=week)) for week in range(60)],
    )

    with pytest.raises(ValueError, match="No business hours"):
        business_time_add(location=location, start=at("2025-06-10T09:00-04:00"), minutes=10)
