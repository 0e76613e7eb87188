"""Nurture tracks (an audience and ordered steps), the leads enrolled in them, and one
row per message or call task a step produces for an enrollment."""

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Deferrable, Q
from django.utils import timezone

from apps.leads.choices import LeadType
from apps.nurture.choices import (
    EnrollmentStatus,
    EntryTrigger,
    ExitReason,
    SendStatus,
    SkipReason,
    StepAction,
    WaitUnit,
)
from apps.nurture.merge_fields import (
    BODY_MERGE_FIELDS,
    SMS_MAX_CHARACTERS,
    SUBJECT_MERGE_FIELDS,
    merge_fields_check,
)
from apps.people.models import ConsentPurpose

# A booking page sent to patients: https only (no http, no ftp).
SCHEDULING_LINK_SCHEMES = ["https"]


@pghistory.track()
class NurtureTrack(models.Model):
    """A sequence of calm follow-ups for one audience (service line and lead type).

    The purpose decides which consent its messages need: care coordination is about the
    person's own inquiry; marketing (events, offers, newsletters) needs marketing consent.
    Leads enter automatically on arriving at `entry_stage` (optionally only after some
    unanswered calls) or on their re-contact date, and only after the track was switched
    on (`activated_at`), so turning a track on never messages a backlog of old leads.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    purpose = models.CharField(
        max_length=20, choices=ConsentPurpose.choices, default=ConsentPurpose.CARE_COORDINATION
    )
    service_line = models.ForeignKey(
        "servicelines.ServiceLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty: every service line.",
    )
    lead_type = models.CharField(
        max_length=20, choices=LeadType.choices, blank=True, help_text="Empty: every lead type."
    )
    entry_trigger = models.CharField(
        max_length=10, choices=EntryTrigger.choices, default=EntryTrigger.STAGE
    )
    entry_stage = models.ForeignKey(
        "pipeline.PipelineStage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry_min_unanswered_calls = models.PositiveSmallIntegerField(
        default=0,
        help_text="Enter only once this many outbound calls went unanswered (0: at once).",
    )
    scheduling_link = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=SCHEDULING_LINK_SCHEMES)],
        help_text="For {{ scheduling_link }}: an https address; empty: NURTURE_SCHEDULING_URL.",
    )
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=ConsentPurpose.values), name="nurture_track_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(entry_trigger__in=EntryTrigger.values),
                name="nurture_track_trigger_valid",
            ),
            models.CheckConstraint(
                condition=~Q(entry_trigger=EntryTrigger.STAGE) | Q(entry_stage__isnull=False),
                name="nurture_track_stage_trigger_has_stage",
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(activated_at__isnull=False),
                name="nurture_track_active_has_activated_at",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.entry_trigger == EntryTrigger.STAGE and self.entry_stage_id is None:
            errors["entry_stage"] = "Choose the stage that makes a lead enter this track."
        if self.entry_trigger != EntryTrigger.STAGE:
            if self.entry_stage_id is not None:
                errors["entry_stage"] = "Only a track entered at a stage names a stage."
            if self.entry_min_unanswered_calls:
                errors["entry_min_unanswered_calls"] = (
                    "Unanswered calls count only for a track entered at a stage."
                )
        if errors:
            raise ValidationError(errors)


@pghistory.track()
class NurtureStep(models.Model):
    """Wait (business hours or days of the lead's location), then do one thing."""

    track = models.ForeignKey(NurtureTrack, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    wait_amount = models.PositiveSmallIntegerField(default=0)
    wait_unit = models.CharField(
        max_length=15, choices=WaitUnit.choices, default=WaitUnit.BUSINESS_DAYS
    )
    action = models.CharField(max_length=10, choices=StepAction.choices)
    subject = models.CharField(max_length=150, blank=True, help_text="Emails only.")
    body = models.TextField(max_length=5000)

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            # Deferred: saving a reordered track renumbers its steps inside one transaction.
            models.UniqueConstraint(
                fields=["track", "position"],
                deferrable=Deferrable.DEFERRED,
                name="nurture_step_position_unique",
            ),
            models.CheckConstraint(
                condition=Q(action__in=StepAction.values), name="nurture_step_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(wait_unit__in=WaitUnit.values), name="nurture_step_wait_unit_valid"
            ),
            models.CheckConstraint(
                condition=~Q(action=StepAction.EMAIL) | ~Q(subject=""),
                name="nurture_step_email_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track.name}, step {self.position}"

    def clean(self) -> None:
        """Only the safe merge fields, and none that names the person in a subject line."""
        errors: dict[str, list[str]] = {}
        if self.action == StepAction.EMAIL:
            if not self.subject.strip():
                errors["subject"] = ["An email needs a subject."]
            else:
                subject_errors = merge_fields_check(
                    self.subject, allowed=SUBJECT_MERGE_FIELDS, where="a subject line"
                )
                if subject_errors:
                    errors["subject"] = subject_errors
        elif self.subject.strip():
            errors["subject"] = ["Only emails have a subject."]
        body_errors = merge_fields_check(self.body, allowed=BODY_MERGE_FIELDS, where="a message")
        if self.action == StepAction.SMS and len(self.body) > SMS_MAX_CHARACTERS:
            body_errors.append(
                f"A text message holds at most {SMS_MAX_CHARACTERS} characters "
                f"(this one has {len(self.body)})."
            )
        if body_errors:
            errors["body"] = body_errors
        if errors:
            raise ValidationError(errors)

    @property
    def wait_label(self) -> str:
        if not self.wait_amount:
            return "at once"
        unit = self.get_wait_unit_display()
        if self.wait_amount == 1:
            unit = unit.removesuffix("s")
        return f"after {self.wait_amount} {unit}"


class NurtureEnrollment(models.Model):
    """One lead on one track, from entry to completion or exit.

    A lead is on a track at most once at a time (partial unique constraint), and each
    entry event (`trigger_key`: a stage arrival, a re-contact date, a manual enrollment)
    enrolls it at most once, so the entry sweep can run any number of times.
    """

    track = models.ForeignKey(NurtureTrack, on_delete=models.PROTECT, related_name="enrollments")
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, related_name="nurture_enrollments"
    )
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    trigger_key = models.CharField(max_length=80)
    entered_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the lead entered automatically.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-entered_at", "-id"]
        indexes = [
            models.Index(
                fields=["lead"],
                condition=Q(status=EnrollmentStatus.ACTIVE),
                name="nurture_enrollment_active_idx",
            ),
            models.Index(fields=["track", "-entered_at"], name="nurture_enrollment_track_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "lead"],
                condition=Q(status=EnrollmentStatus.ACTIVE),
                name="nurture_enrollment_one_active_per_track",
            ),
            models.UniqueConstraint(
                fields=["track", "lead", "trigger_key"], name="nurture_enrollment_once_per_trigger"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrollmentStatus.values),
                name="nurture_enrollment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(exit_reason="") | Q(exit_reason__in=ExitReason.values),
                name="nurture_enrollment_exit_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=EnrollmentStatus.EXITED) | Q(exit_reason=""),
                name="nurture_enrollment_reason_only_on_exit",
            ),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.lead_id} on {self.track}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class NurtureSend(models.Model):
    """What one step does for one enrollment: an email, a text or a call task.

    Unique per (enrollment, step), so a step is done at most once whatever the workers
    do. A worker claims the row (pending → sending, with a claim token) before sending;
    the send and the `sent` status then commit together (see apps.nurture.delivery).
    `person` is copied from the lead so the weekly cap counts one index range.
    """

    enrollment = models.ForeignKey(
        NurtureEnrollment, on_delete=models.CASCADE, related_name="sends"
    )
    step = models.ForeignKey(NurtureStep, on_delete=models.PROTECT, related_name="sends")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=StepAction.choices)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING)
    due_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The error's type and code only: provider messages can quote the address.
    last_error = models.CharField(max_length=200, blank=True)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    hold_reason = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=64, blank=True)
    activity = models.ForeignKey(
        "leads.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The delivery sweep: what is due and not yet started.
            models.Index(
                fields=["due_at"],
                condition=Q(status=SendStatus.PENDING),
                name="nurture_send_pending_due_idx",
            ),
            # Claims left behind by a worker that died mid-send.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status=SendStatus.SENDING),
                name="nurture_send_sending_idx",
            ),
            # The weekly cap: messages a person was sent in the last seven days.
            models.Index(
                fields=["person", "sent_at"],
                condition=Q(status=SendStatus.SENT),
                name="nurture_send_person_sent_idx",
            ),
            models.Index(
                fields=["-created_at"],
                condition=Q(status=SendStatus.FAILED),
                name="nurture_send_failed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "step"], name="nurture_send_once_per_enrollment_step"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SendStatus.values), name="nurture_send_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=StepAction.values), name="nurture_send_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=SendStatus.SENT) | Q(sent_at__isnull=False),
                name="nurture_send_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=SendStatus.SENDING) | Q(claim_token__isnull=False),
                name="nurture_send_sending_has_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} for enrollment #{self.enrollment_id}"


class NurtureEntryCursor(models.Model):
    """How far the changes sweep has read the activity table (one row).

    The sweep reads activities by id, a range scan on the primary key, instead of
    scanning every lead or every enrollment. Each activity is read by two consecutive
    sweeps: an id is taken when the row is inserted but becomes visible only at commit,
    so a lower id can appear after a higher one was read; the second look catches it.
    """

    name = models.CharField(max_length=20, unique=True, default="entries")
    read_through_id = models.BigIntegerField(default=0)
    seen_through_id = models.BigIntegerField(default=0)
    swept_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Changes sweep at activity #{self.seen_through_id}"
