"""The staff API's hand-built timestamps read exactly as DRF's DateTimeField writes them."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers

from apps.core.api import iso_datetime, iso_datetime_writer

MOMENTS = [
    dt.datetime(2026, 3, 8, 6, 59, 59, tzinfo=dt.UTC),  # just before US DST starts
    dt.datetime(2026, 3, 8, 7, 0, 0, 1, tzinfo=dt.UTC),  # just after, with microseconds
    dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.timezone(dt.timedelta(hours=-1))),
]


@pytest.mark.parametrize("zone", ["America/New_York", "America/Chicago", "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_timestamps_match_drf_in_the_active_time_zone(zone, moment):
    with timezone.override(zone):
        write = iso_datetime_writer()
        expected = serializers.DateTimeField().to_representation(moment)

        assert write(moment) == iso_datetime(moment) == expected


def test_a_missing_timestamp_is_null():
    assert iso_datetime_writer()(None) is None
    assert iso_datetime(None) is None
