"""Shapes of locations in the staff API."""

from rest_framework import serializers

from apps.core.api import LocalTimeField
from apps.facilities.models import Weekday


class LocationSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class BusinessHoursSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices, read_only=True)
    opens_at = LocalTimeField(read_only=True)
    closes_at = LocalTimeField(read_only=True)


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    name = serializers.CharField(read_only=True)


class LocationDetailSerializer(LocationSerializer):
    """A location with what its response clock runs on: hours in its own time zone,
    and the holidays from today on."""

    address_line1 = serializers.CharField(read_only=True)
    address_line2 = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    business_hours = BusinessHoursSerializer(many=True, read_only=True)
    upcoming_holidays = HolidaySerializer(many=True, read_only=True)
