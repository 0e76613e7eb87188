"""Writes of nurture: tracks and their steps, leads entering and leaving tracks.

Entering and leaving are found by beat sweeps, never by signals: `nurture_changes_sweep`
reads the activities written since the last sweep (stage changes, calls, replies),
`nurture_reengagement_sweep` looks for Not ready leads whose re-contact date has come,
and `nurture_exits_sweep` checks every active enrollment against the exit rules.
Both are safe to run any number of times: each entry event enrolls a lead at most once
(unique constraint on track, lead and trigger key). Message delivery is in
apps.nurture.delivery.
"""

import datetime as dt
import logging
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.leads.choices import ActivityKind, Direction
from apps.leads.models import Activity, Lead
from apps.leads.services import activity_log
from apps.nurture.choices import (
    UNANSWERED_CALL_OUTCOMES,
    EnrollmentStatus,
    EntryTrigger,
    ExitReason,
    SendStatus,
)
from apps.nurture.models import (
    NurtureEnrollment,
    NurtureEntryCursor,
    NurtureSend,
    NurtureStep,
    NurtureTrack,
)
from apps.nurture.selectors import REPLY_KINDS, enrollment_exit_reason, enrollments_to_exit
from apps.nurture.timing import location_time_zone, step_due_at
from apps.pipeline.models import StageKind
from apps.webhooks import services as webhooks

logger = logging.getLogger(__name__)

# Activities read by one changes sweep at most; a backlog is read over several sweeps.
CHANGES_SCAN_LIMIT = 50_000
# Re-contact dates older than this when a track first sees them are not acted on: a
# lead forgotten in Not ready for months is a manager's call, not an automatic email.
RECONTACT_GRACE = dt.timedelta(days=7)
EXIT_BATCH = 2000


# --- Tracks -------------------------------------------------------------------------


@transaction.atomic
def nurture_track_save(
    *,
    track: NurtureTrack,
    steps: list[NurtureStep],
    removed_steps: list[NurtureStep] = (),
    actor: User,
) -> NurtureTrack:
    """Save a track with its steps in the order given (positions 1..n), in one transaction.

    Steps already done for some enrollment cannot be removed (their history points at
    them). Switching a track on stamps `activated_at`: only leads arriving from then on
    enter it. Raises ValidationError keyed by field.
    """
    if not steps:
        raise ValidationError({"steps": "A track needs at least one step."})
    uses_link = any("scheduling_link" in f"{step.subject} {step.body}" for step in steps)
    if uses_link and not (track.scheduling_link or settings.NURTURE_SCHEDULING_URL):
        raise ValidationError(
            {"scheduling_link": "A step uses {{ scheduling_link }}: give the link to book."}
        )
    used = [step for step in removed_steps if step.pk and step.sends.exists()]
    if used:
        positions = ", ".join(str(step.position) for step in used)
        raise ValidationError(
            {"steps": f"Step {positions} has already run for some leads and cannot be removed."}
        )
    was_active = (
        NurtureTrack.objects.filter(pk=track.pk, is_active=True).exists() if track.pk else False
    )
    if track.pk is None:
        track.created_by = actor
    nurture_track_activation_stamp(track=track, was_active=was_active)
    track.full_clean()
    track.save()
    for step in removed_steps:
        if step.pk:
            step.delete()
    for position, step in enumerate(steps, start=1):
        step.track = track
        step.position = position
        step.full_clean(exclude=["track"], validate_unique=False)
        step.save()
    return track


@transaction.atomic
def nurture_track_set_active(*, track: NurtureTrack, is_active: bool, actor: User) -> NurtureTrack:
    """Switch a track on (new arrivals enter from now on) or off (nobody new enters;
    leads already on it carry on until they finish or leave)."""
    track = NurtureTrack.objects.select_for_update().get(pk=track.pk)
    if is_active and not track.steps.exists():
        raise ValidationError({"is_active": "Add a step before switching the track on."})
    was_active = track.is_active
    track.is_active = is_active
    nurture_track_activation_stamp(track=track, was_active=was_active)
    track.save(update_fields=["is_active", "activated_at", "updated_at"])
    return track


def nurture_track_activation_stamp(*, track: NurtureTrack, was_active: bool) -> None:
    """Stamp `activated_at` when a track is switched on (call before saving it)."""
    if track.is_active and not was_active:
        track.activated_at = timezone.now()
        _entry_cursor_ensure()


def _entry_cursor_ensure() -> None:
    """Start the entry sweep at the newest activity when the first track is switched
    on: history before that is never scanned."""
    newest = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    NurtureEntryCursor.objects.get_or_create(
        name="entries", defaults={"read_through_id": newest, "seen_through_id": newest}
    )


# --- Entering -----------------------------------------------------------------------


@transaction.atomic
def nurture_enroll(*, track: NurtureTrack, lead: Lead, actor: User) -> NurtureEnrollment:
    """Put a lead on a track by hand. Side effects: the first step is scheduled and the
    entry is written on the lead's timeline. Raises ValidationError keyed by field."""
    errors = {}
    if not track.is_active:
        errors["track"] = f"“{track.name}” is switched off."
    elif not track.steps.exists():
        errors["track"] = f"“{track.name}” has no steps."
    if lead.closed_at is not None:
        errors["lead"] = "This lead is closed."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    enrollment = _enrollment_create(
        track=track, lead=lead, trigger_key=f"manual:{now.isoformat()}", actor=actor, now=now
    )
    if enrollment is None:
        raise ValidationError({"track": f"This lead is already on “{track.name}”."})
    return enrollment


def _enrollment_create(
    *, track: NurtureTrack, lead: Lead, trigger_key: str, actor: User | None, now: dt.datetime
) -> NurtureEnrollment | None:
    """Insert the enrollment and its first send, or None when the lead is already on the
    track or this entry event was already handled (the unique constraints answer)."""
    first_step = track.steps.order_by("position").first()
    if first_step is None:
        return None
    try:
        with transaction.atomic():
            enrollment = NurtureEnrollment.objects.create(
                track=track, lead=lead, trigger_key=trigger_key, entered_at=now, entered_by=actor
            )
    except IntegrityError:
        return None
    send_schedule(enrollment=enrollment, lead=lead, step=first_step, start=now)
    activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body=f"Entered the nurture track “{track.name}”.",
        occurred_at=now,
        is_automated=actor is None,
        details={"nurture_enrollment_id": enrollment.pk},
    )
    return enrollment


def send_schedule(
    *, enrollment: NurtureEnrollment, lead: Lead, step: NurtureStep, start: dt.datetime
) -> NurtureSend:
    """The send of `step` for an enrollment, due after the step's wait from `start`
    (made once: a second call returns the existing row)."""
    due_at = step_due_at(
        location=lead.location, start=start, amount=step.wait_amount, unit=step.wait_unit
    )
    send, _ = NurtureSend.objects.get_or_create(
        enrollment=enrollment,
        step=step,
        defaults={"person_id": lead.person_id, "channel": step.action, "due_at": due_at},
    )
    return send


class ChangesSwept(NamedTuple):
    entered: int
    exited: int


def nurture_changes_sweep(*, now: dt.datetime | None = None) -> ChangesSwept:
    """Act on what happened to leads since the previous sweep, reading only the
    activities written since then (a primary-key range, not every lead):

    - stage changes and calls: leads that arrived at the entry stage of an active track
      (and, where the track asks, have enough unanswered calls) are enrolled;
    - stage changes and inbound calls, emails and texts: enrollments of those leads end
      when an exit rule holds (scheduled, converted, lost, replied, moved on).

    Lead changes that write no activity are caught by the hourly `nurture_exits_sweep`
    and, before anything is sent, by the delivery's own check.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One sweep at a time: a second concurrent one finds the cursor locked and leaves.
        cursor = (
            NurtureEntryCursor.objects.select_for_update(skip_locked=True)
            .filter(name="entries")
            .first()
        )
        if cursor is None:
            return ChangesSwept(0, 0)
        newest = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        high = min(newest, cursor.seen_through_id + CHANGES_SCAN_LIMIT)
        changes = []
        if high > cursor.read_through_id:
            changes = list(
                Activity.objects.filter(pk__gt=cursor.read_through_id, pk__lte=high)
                .filter(
                    Q(kind__in=(ActivityKind.STAGE_CHANGE, ActivityKind.CALL))
                    | Q(kind__in=REPLY_KINDS, direction=Direction.INBOUND)
                )
                .values_list("lead_id", "kind", "direction")
                .distinct()
            )
        arrived = {
            lead_id
            for lead_id, kind, _ in changes
            if kind in (ActivityKind.STAGE_CHANGE, ActivityKind.CALL)
        }
        moved_or_replied = {
            lead_id
            for lead_id, kind, direction in changes
            if kind == ActivityKind.STAGE_CHANGE or direction == Direction.INBOUND
        }
        entered = _arrivals_enroll(lead_ids=arrived, now=now) if arrived else 0
        exited = 0
        if moved_or_replied:
            enrollments = NurtureEnrollment.objects.filter(
                status=EnrollmentStatus.ACTIVE, lead_id__in=moved_or_replied
            ).select_related("track", "lead__stage")
            exited = _exits_apply(enrollments=enrollments, now=now)
        cursor.read_through_id, cursor.seen_through_id = cursor.seen_through_id, high
        cursor.swept_at = now
        cursor.save(update_fields=["read_through_id", "seen_through_id", "swept_at"])
    return ChangesSwept(entered, exited)


def _arrivals_enroll(*, lead_ids: set[int], now: dt.datetime) -> int:
    tracks = NurtureTrack.objects.filter(
        is_active=True, entry_trigger=EntryTrigger.STAGE, steps__isnull=False
    ).distinct()
    enrolled = 0
    for track in tracks:
        for lead in _stage_arrivals(track=track, lead_ids=list(lead_ids)):
            key = f"stage:{lead.stage_id}:{lead.stage_entered_at.timestamp():.6f}"
            if _enrollment_create(track=track, lead=lead, trigger_key=key, actor=None, now=now):
                enrolled += 1
    return enrolled


def _audience(track: NurtureTrack) -> Q:
    audience = Q(closed_at__isnull=True, merged_into__isnull=True)
    if track.service_line_id:
        audience &= Q(service_line_id=track.service_line_id)
    if track.lead_type:
        audience &= Q(lead_type=track.lead_type)
    return audience


def _stage_arrivals(*, track: NurtureTrack, lead_ids: list[int]) -> list[Lead]:
    leads = (
        Lead.objects.filter(
            _audience(track),
            pk__in=lead_ids,
            stage_id=track.entry_stage_id,
            stage_entered_at__gte=track.activated_at,
        )
        # This arrival was handled already when an enrollment started after it.
        .exclude(
            Exists(
                NurtureEnrollment.objects.filter(
                    track=track, lead=OuterRef("pk"), entered_at__gte=OuterRef("stage_entered_at")
                )
            )
        )
        .select_related("location")
        .prefetch_related("location__business_hours", "location__holidays")
    )
    if track.entry_min_unanswered_calls:
        leads = leads.annotate(
            unanswered_calls=Count(
                "activities",
                filter=Q(
                    activities__kind=ActivityKind.CALL,
                    activities__direction=Direction.OUTBOUND,
                    activities__outcome__in=UNANSWERED_CALL_OUTCOMES,
                ),
            )
        ).filter(unanswered_calls__gte=track.entry_min_unanswered_calls)
    return list(leads)


def nurture_reengagement_sweep(*, now: dt.datetime | None = None) -> int:
    """Enroll Not ready leads whose re-contact date has come, in their location's time
    zone, on the active re-engagement tracks of their audience. Returns how many."""
    now = now or timezone.now()
    tracks = NurtureTrack.objects.filter(
        is_active=True, entry_trigger=EntryTrigger.RECONTACT, steps__isnull=False
    ).distinct()
    enrolled = 0
    for track in tracks:
        earliest = max(
            track.activated_at.date() - dt.timedelta(days=1), (now - RECONTACT_GRACE).date()
        )
        candidates = list(
            Lead.objects.filter(
                _audience(track),
                stage__kind=StageKind.NURTURE,
                recontact_on__gte=earliest,
                # Some time zone is a day ahead of UTC; each lead's own date is checked below.
                recontact_on__lte=now.date() + dt.timedelta(days=1),
            )
            .select_related("location")
            .prefetch_related("location__business_hours", "location__holidays")
        )
        handled = set(
            NurtureEnrollment.objects.filter(
                track=track, lead__in=candidates, trigger_key__startswith="recontact:"
            ).values_list("lead_id", "trigger_key")
        )
        for lead in candidates:
            key = f"recontact:{lead.recontact_on.isoformat()}"
            if (lead.pk, key) in handled:
                continue
            if lead.recontact_on > now.astimezone(location_time_zone(lead.location)).date():
                continue
            with transaction.atomic():
                if _enrollment_create(track=track, lead=lead, trigger_key=key, actor=None, now=now):
                    enrolled += 1
    return enrolled


# --- Leaving ------------------------------------------------------------------------


@transaction.atomic
def nurture_enrollment_exit(
    *,
    enrollment: NurtureEnrollment,
    reason: str,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """End an active enrollment for `reason`; False when it had already ended.

    Side effects: its waiting sends are cancelled and the exit is written on the lead's
    timeline. A send being delivered right now holds the enrollment's row lock, so this
    waits for it to finish rather than cancel it half-way.
    """
    now = now or timezone.now()
    ended = NurtureEnrollment.objects.filter(
        pk=enrollment.pk, status=EnrollmentStatus.ACTIVE
    ).update(status=EnrollmentStatus.EXITED, exit_reason=reason, ended_at=now, exited_by=actor)
    if not ended:
        return False
    NurtureSend.objects.filter(enrollment_id=enrollment.pk, status=SendStatus.PENDING).update(
        status=SendStatus.CANCELLED
    )
    enrollment.refresh_from_db(fields=["status", "exit_reason", "ended_at", "exited_by"])
    webhooks.nurture_enrollment_ended_emit(enrollment=enrollment)
    lead = Lead.objects.get(pk=enrollment.lead_id)
    activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body=f"Left the nurture track “{enrollment.track.name}”: {ExitReason(reason).label}.",
        occurred_at=now,
        is_automated=actor is None,
        details={"nurture_enrollment_id": enrollment.pk, "exit_reason": reason},
    )
    return True


def nurture_enrollment_stop(*, enrollment: NurtureEnrollment, actor: User) -> NurtureEnrollment:
    """Staff take a lead off a track. Raises ValidationError when it is not on it."""
    if not nurture_enrollment_exit(
        enrollment=enrollment, reason=ExitReason.STOPPED_BY_STAFF, actor=actor
    ):
        raise ValidationError({"enrollment": "This lead is no longer on the track."})
    return enrollment


def nurture_exits_sweep(*, now: dt.datetime | None = None) -> int:
    """End every active enrollment whose lead meets an exit rule, looking at all of
    them (hourly): the changes sweep only sees changes that wrote an activity."""
    now = now or timezone.now()
    return _exits_apply(enrollments=enrollments_to_exit(limit=EXIT_BATCH), now=now)


def _exits_apply(*, enrollments, now: dt.datetime) -> int:
    ended = 0
    for enrollment in enrollments:
        reason = enrollment_exit_reason(enrollment=enrollment, lead=enrollment.lead)
        if reason and nurture_enrollment_exit(enrollment=enrollment, reason=reason, now=now):
            ended += 1
    return ended


def enrollments_exit_for_people(
    *, person_ids: list[int], reason: str, now: dt.datetime | None = None
) -> int:
    """End every active enrollment of these people's leads (a reply by text)."""
    ended = 0
    enrollments = NurtureEnrollment.objects.filter(
        status=EnrollmentStatus.ACTIVE, lead__person_id__in=person_ids
    ).select_related("track")
    for enrollment in enrollments:
        if nurture_enrollment_exit(enrollment=enrollment, reason=reason, now=now):
            ended += 1
    return ended
