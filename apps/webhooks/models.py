"""Outbound webhooks: the endpoints other systems register, and the outbox of
deliveries to them.

A delivery row is written in the same transaction as the change it reports (the
outbox), so an event is never lost to a crash between the change and the send, and
never sent about a change that rolled back. Workers claim rows with a conditional
UPDATE; retries are `due_at` times swept by beat, not Celery ETAs.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.webhooks.choices import DeliveryStatus, WebhookEventType


class WebhookEndpoint(models.Model):
    """A URL of another system that wants to hear about some events, signed with its
    own secret (Standard Webhooks: `whsec_` and base64)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=40, choices=WebhookEventType.choices))
    # Kept as given: the signature needs the secret itself. It is shown once, when made.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, then the delivery log.

    `lead_id` orders deliveries: a delivery waits while an earlier one of the same lead
    to the same endpoint is unfinished. It is a plain id, not a foreign key: the log
    outlives a lead merged away, and webhooks sit below leads in the layers.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The `webhook-id` header: the same on every attempt, so receivers drop repeats.
    message_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    lead_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The sweep and the claim: an endpoint's unfinished deliveries by due time.
            models.Index(
                fields=["endpoint", "due_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="webhook_delivery_open_idx",
            ),
            # Order per lead: is an earlier delivery of this lead still unfinished?
            models.Index(
                fields=["endpoint", "lead_id", "id"],
                condition=Q(status__in=["pending", "sending"]),
                name="webhook_delivery_lead_idx",
            ),
            # The delivery log page: newest first per endpoint.
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log_idx"),
            # The endpoint list's "gave up" count, without reading the delivered rows.
            models.Index(
                fields=["endpoint"],
                condition=Q(status="failed"),
                name="webhook_delivery_failed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to endpoint #{self.endpoint_id}"
