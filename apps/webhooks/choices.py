"""The events LeadCRM tells other systems about, and where a delivery stands."""

from django.db import models


class WebhookEventType(models.TextChoices):
    """What happened. Payloads carry ids, types, stages and times, never a person."""

    LEAD_CREATED = "lead.created", "A lead was created"
    LEAD_ASSIGNED = "lead.assigned", "A lead was assigned"
    LEAD_STAGE_CHANGED = "lead.stage_changed", "A lead changed stage"
    LEAD_FIRST_RESPONSE = "lead.first_response", "A lead got its first response"
    LEAD_SLA_BREACHED = "lead.sla_breached", "A lead breached its response time"
    LEAD_SAFETY_FLAGGED = "lead.safety_flagged", "A lead was flagged by safety screening"
    REFERRAL_FEEDBACK_SENT = "referral.feedback_sent", "A referral's summary went back"
    NURTURE_ENROLLMENT_ENDED = "nurture.enrollment_ended", "A nurture enrollment ended"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"  # due at due_at (first try or a retry)
    SENDING = "sending", "Being sent"  # claimed by a worker until claimed_until
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Gave up"  # every retry failed; the endpoint was disabled
