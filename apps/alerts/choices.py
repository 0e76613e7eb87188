"""The kinds of alert staff receive, and where an alert's email stands."""

from django.db import models


class AlertLevel(models.TextChoices):
    """What happened to the lead. Each level fires once per lead and recipient;
    missed calls and repeat inquiries once per call or touch."""

    OWNER_NOTICE = "owner_notice", "Response due soon"
    BREACH = "breach", "Response time breached"
    REASSIGNED = "reassigned", "Reassigned to the fallback team"
    # apps.safety: an inquiry that reads like an emergency (once per flagged inquiry).
    RED_FLAG = "red_flag", "Possible emergency: call now"
    MISSED_CALL = "missed_call", "Missed call not returned"
    REPEAT_INQUIRY = "repeat_inquiry", "Asked again while waiting"
    # apps.referrals: a completed referral whose summary has not gone back to the referrer.
    REFERRAL_FEEDBACK_OVERDUE = "referral_feedback", "Referral summary not sent"
    # apps.webhooks: every retry of a delivery failed, so the endpoint was turned off.
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook endpoint disabled"
    # apps.privacy: someone opened the lead outside their teams (break-the-glass).
    EMERGENCY_ACCESS = "emergency_access", "Emergency access to a lead"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_SENT = "not_sent", "Not sent (no email address)"
