"""Response policies and each lead's escalation steps."""

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.leads.choices import LeadType, Urgency
from apps.sla.choices import EscalationLevel, EscalationOutcome

DEFAULT_OWNER_NOTICE_PERCENT = 75
DEFAULT_FALLBACK_AFTER_BREACH_MINUTES = 30
DEFAULT_MISSED_CALL_RETURN_MINUTES = 30


@pghistory.track()
class ResponsePolicy(models.Model):
    """How fast a service line answers one kind of lead, and whom to tell when it doesn't.

    Empty urgency or lead type match any; the most specific active policy wins (see
    apps.sla.selectors.response_policy_for_lead). Without a policy the service line's
    default targets and the defaults below apply.
    """

    service_line = models.ForeignKey(
        "servicelines.ServiceLine", on_delete=models.CASCADE, related_name="response_policies"
    )
    urgency = models.CharField(
        max_length=10, choices=Urgency.choices, blank=True, help_text="Empty: any urgency."
    )
    lead_type = models.CharField(
        max_length=20, choices=LeadType.choices, blank=True, help_text="Empty: any lead type."
    )
    target_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "Time to first response. Urgent leads count wall-clock minutes, others business "
            "minutes of the lead's location. Empty: the service line's target for the urgency."
        ),
    )
    owner_notice_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=DEFAULT_OWNER_NOTICE_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Notify the owner when this share of the target has passed. Empty: never.",
    )
    alert_at_breach = models.BooleanField(
        default=True, help_text="Alert the team lead and the managers when the target passes."
    )
    fallback_after_breach_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=DEFAULT_FALLBACK_AFTER_BREACH_MINUTES,
        help_text="Reassign to the fallback team this long after the breach. Empty: never.",
    )
    missed_call_return_minutes = models.PositiveIntegerField(
        default=DEFAULT_MISSED_CALL_RETURN_MINUTES,
        validators=[MinValueValidator(1)],
        help_text="Alert the owner when a missed inbound call is not returned within this.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "response policies"
        ordering = ["service_line__name", "urgency", "lead_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_line", "urgency", "lead_type"], name="response_policy_unique"
            ),
            models.CheckConstraint(
                condition=Q(urgency="") | Q(urgency__in=Urgency.values),
                name="response_policy_urgency_valid",
            ),
            models.CheckConstraint(
                condition=Q(lead_type="") | Q(lead_type__in=LeadType.values),
                name="response_policy_lead_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_minutes__isnull=True) | Q(target_minutes__gt=0),
                name="response_policy_target_positive",
            ),
            models.CheckConstraint(
                condition=Q(owner_notice_percent__isnull=True)
                | (Q(owner_notice_percent__gte=1) & Q(owner_notice_percent__lte=99)),
                name="response_policy_notice_percent_1_99",
            ),
            models.CheckConstraint(
                condition=Q(missed_call_return_minutes__gt=0),
                name="response_policy_missed_call_positive",
            ),
        ]

    def __str__(self) -> str:
        urgency = self.get_urgency_display() if self.urgency else "any urgency"
        lead_type = self.get_lead_type_display() if self.lead_type else "any lead type"
        return f"{self.service_line}: {urgency}, {lead_type}"


class LeadEscalation(models.Model):
    """One step of a lead's escalation chain with the time it falls due.

    The beat sweep reads pending steps through a partial index on `due_at`, so it never
    scans leads; a step is done once, fired or skipped, under a row lock.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(max_length=20, choices=EscalationLevel.choices)
    activity = models.ForeignKey(
        "leads.Activity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The missed inbound call this step watches.",
    )
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=EscalationOutcome.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True), name="escalation_pending_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "level", "activity"],
                nulls_distinct=False,
                name="escalation_once_per_lead_level",
            ),
            models.CheckConstraint(
                condition=Q(level__in=EscalationLevel.values), name="escalation_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, outcome="")
                | Q(done_at__isnull=False, outcome__in=EscalationOutcome.values),
                name="escalation_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} on lead #{self.lead_id}"


class MissedCallScan(models.Model):
    """How far the sweep has read the activity log for missed inbound calls.

    One row. Reading activities by primary key past this mark keeps the scan on the
    primary key index instead of the whole activity table.
    """

    last_activity_id = models.BigIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Missed calls read up to activity #{self.last_activity_id}"
