from rest_framework import serializers

from apps.webhooks.choices import WebhookEventType
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "event_types", "is_active", "owner",
            "created_at", "disabled_at", "disabled_reason",
        ]  # fmt: skip
        read_only_fields = ["owner", "created_at", "disabled_at", "disabled_reason"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The answer to a create: the one time the signing secret is given."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "message_id", "event_type", "lead_id", "occurred_at", "status", "attempts",
            "last_attempt_at", "last_status_code", "last_latency_ms", "last_error",
            "due_at", "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields
