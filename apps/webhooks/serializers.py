from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.webhooks.choices import WebhookEventType
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


@extend_schema_field({"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": 500})
class WebhookUrlField(serializers.URLField):
    """An http(s) address; the schema says so, as `format: uri` alone allows any scheme."""


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = WebhookUrlField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        allow_empty=False,
        min_length=1,
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
