"""Shapes of intake teams in the staff API."""

from rest_framework import serializers


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    is_on_shift = serializers.BooleanField(read_only=True)
    on_leave = serializers.BooleanField(read_only=True)


class TeamLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class CoverageSerializer(serializers.Serializer):
    """A service line or location the team covers."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    team_lead = TeamLeadSerializer(read_only=True, allow_null=True)
    members = TeamMemberSerializer(many=True, read_only=True)
    service_lines = CoverageSerializer(many=True, read_only=True)
    locations = CoverageSerializer(many=True, read_only=True)
    is_fallback = serializers.BooleanField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
