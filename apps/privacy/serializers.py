from rest_framework import serializers

from apps.core.api import TextField
from apps.privacy.choices import EmergencyReason
from apps.privacy.models import EmergencyAccess


class EmergencyAccessCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=EmergencyReason.choices, help_text="Why you need this lead."
    )
    reason_text = TextField(
        max_length=1000,
        help_text="What the patient needs, in a few words (the privacy officer reads it; "
        "no diagnosis needed).",
    )


class EmergencyAccessSerializer(serializers.ModelSerializer):
    lead = serializers.IntegerField(source="lead_id")

    class Meta:
        model = EmergencyAccess
        fields = ("id", "lead", "reason", "reason_text", "granted_at", "expires_at")
