"""In-app alerts about leads, one row per recipient, each also sent by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.alerts.choices import AlertLevel, EmailStatus


class Alert(models.Model):
    """Something a member of staff must act on for one lead.

    The database guarantees an alert fires once per (lead, level, recipient, activity):
    a sweep that runs twice or a task delivered twice inserts nothing new. `activity`
    is the missed call or repeat inquiry the alert is about (empty for the SLA levels),
    and NULLs count as equal in the constraint.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    # Empty only for alerts about a webhook endpoint (level webhook_disabled).
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    webhook_endpoint = models.ForeignKey(
        "webhooks.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    level = models.CharField(max_length=20, choices=AlertLevel.choices)
    activity = models.ForeignKey(
        "leads.Activity", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notification list: my alerts, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="alert_recipient_idx"),
            # The unread badge on every page counts only these.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="alert_unread_idx"
            ),
            # The email relay finds alerts whose task was lost (broker down, worker killed).
            models.Index(
                fields=["created_at"],
                condition=Q(email_status__in=["pending", "sending"]),
                name="alert_email_unsent_idx",
            ),
            models.Index(fields=["lead", "-created_at"], name="alert_lead_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "level", "recipient", "activity", "webhook_endpoint"],
                nulls_distinct=False,
                name="alert_once_per_lead_level_recipient",
            ),
            models.CheckConstraint(
                condition=Q(level__in=AlertLevel.values), name="alert_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(lead__isnull=False) | Q(webhook_endpoint__isnull=False),
                name="alert_about_lead_or_endpoint",
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=EmailStatus.values), name="alert_email_status_valid"
            ),
        ]

    def __str__(self) -> str:
        if self.lead_id is None:
            return f"{self.get_level_display()}: webhook endpoint #{self.webhook_endpoint_id}"
        return f"{self.get_level_display()} on lead #{self.lead_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
