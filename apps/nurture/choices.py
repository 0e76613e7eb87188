"""The vocabularies of nurture tracks, enrollments and the messages they send."""

from django.db import models


class EntryTrigger(models.TextChoices):
    """How a lead enters a track."""

    STAGE = "stage", "When the lead reaches a stage"
    RECONTACT = "recontact", "On the re-contact date of a Not ready lead"
    MANUAL = "manual", "Only when staff enroll it by hand"


class StepAction(models.TextChoices):
    EMAIL = "email", "Send an email"
    SMS = "sms", "Send a text message"
    CALL_TASK = "call_task", "Create a call task for the owner"


class WaitUnit(models.TextChoices):
    """Waits are counted in the business time of the lead's location."""

    BUSINESS_HOURS = "business_hours", "business hours"
    BUSINESS_DAYS = "business_days", "business days"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    EXITED = "exited", "Left the track"


class ExitReason(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CONVERTED = "converted", "Converted"
    REPLIED = "replied", "Replied"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    LOST = "lost", "Lost"
    LEFT_STAGE = "left_stage", "Moved on from the entry stage"
    STOPPED_BY_STAFF = "stopped_by_staff", "Stopped by staff"


class SendStatus(models.TextChoices):
    """pending → sending → sent or failed; skipped and cancelled never went out."""

    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", "No consent for this channel and purpose"
    NO_ADDRESS = "no_address", "No email address or mobile number"
    NO_ASSIGNEE = "no_assignee", "Nobody owns the lead to call"


# Outcomes of an outbound call that leave the person unreached.
UNANSWERED_CALL_OUTCOMES = ("no_answer", "left_voicemail", "busy")
