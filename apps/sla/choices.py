"""Vocabularies of the response clock."""

from django.db import models


class EscalationLevel(models.TextChoices):
    """The steps of a lead's escalation chain, in the order they fall due."""

    OWNER_NOTICE = "owner_notice", "Owner notice before the due time"
    BREACH = "breach", "Breach: team lead and managers alerted"
    FALLBACK_REASSIGN = "fallback_reassign", "Reassigned to the fallback team"
    MISSED_CALL = "missed_call", "Missed call not returned"


class EscalationOutcome(models.TextChoices):
    FIRED = "fired", "Fired"
    SKIPPED = "skipped", "Not needed (answered, closed or returned)"
