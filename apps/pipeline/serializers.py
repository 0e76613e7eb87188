"""Shapes of pipeline stages in the staff API."""

from rest_framework import serializers

from apps.pipeline.models import StageKind


class StageSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        choices=StageKind.choices,
        read_only=True,
        help_text="won and lost stages close a lead; nurture keeps it for later.",
    )
    is_active = serializers.BooleanField(read_only=True)
