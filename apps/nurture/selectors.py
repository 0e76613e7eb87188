"""Reads of nurture: which enrollments must leave, what managers and staff see."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import access_record
from apps.leads.choices import ActivityKind, Direction
from apps.leads.models import Activity, Lead
from apps.leads.selectors import lead_get_for_user, lead_visible_to
from apps.nurture.choices import EnrollmentStatus, EntryTrigger, ExitReason, SendStatus, StepAction
from apps.nurture.models import NurtureEnrollment, NurtureSend, NurtureTrack
from apps.people.models import ConsentChannel, ConsentPurpose, Person
from apps.people.selectors import consent_is_granted
from apps.pipeline.models import StageKind

# The consent each kind of step needs (for the track's purpose).
CONSENT_CHANNELS = {
    StepAction.EMAIL: ConsentChannel.EMAIL,
    StepAction.SMS: ConsentChannel.SMS,
    StepAction.CALL_TASK: ConsentChannel.PHONE,
}
CHANNEL_WORDS = {
    ConsentChannel.EMAIL: "email",
    ConsentChannel.SMS: "text",
    ConsentChannel.PHONE: "phone",
}
REPLY_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.SMS)
# Inbound texts that opt out of texts are not replies: they stop SMS steps only.
STOP_KEYWORD_DETAIL = "stop"


def _replies_since(*, lead_id, since) -> QuerySet[Activity]:
    """The person's own calls, emails and texts to us after `since` (not STOP)."""
    return Activity.objects.filter(
        lead_id=lead_id,
        direction=Direction.INBOUND,
        kind__in=REPLY_KINDS,
        is_automated=False,
        occurred_at__gt=since,
    ).exclude(details__contains={"sms_keyword": STOP_KEYWORD_DETAIL})


def enrollment_exit_reason(*, enrollment: NurtureEnrollment, lead: Lead) -> str | None:
    """Why an active enrollment must end now, or None. `lead.stage` and
    `enrollment.track` should be loaded; one query when no stage rule applies.

    In order: converted (won, or converted since entry), scheduled since entry, lost
    (closed otherwise), replied (an inbound call,
    email or text since entry), and left the stage that brought the lead in.
    """
    entered_at = enrollment.entered_at
    stage = lead.stage
    if stage.kind == StageKind.WON or (lead.converted_at and lead.converted_at > entered_at):
        return ExitReason.CONVERTED
    if lead.scheduled_at and lead.scheduled_at > entered_at:
        return ExitReason.SCHEDULED
    if lead.closed_at is not None:
        return ExitReason.LOST
    if _replies_since(lead_id=lead.pk, since=entered_at).exists():
        return ExitReason.REPLIED
    track = enrollment.track
    if track.entry_trigger == EntryTrigger.STAGE and lead.stage_id != track.entry_stage_id:
        return ExitReason.LEFT_STAGE
    if track.entry_trigger == EntryTrigger.RECONTACT and stage.kind != StageKind.NURTURE:
        return ExitReason.LEFT_STAGE
    return None


def enrollments_to_exit(*, limit: int) -> list[NurtureEnrollment]:
    """Active enrollments whose lead meets an exit rule, in one query; the sweep then
    asks `enrollment_exit_reason` which rule (the same rules, written per row)."""
    replied = _replies_since(lead_id=OuterRef("lead_id"), since=OuterRef("entered_at"))
    must_leave = (
        Q(lead__closed_at__isnull=False)
        | Q(lead__stage__kind=StageKind.WON)
        | Q(lead__scheduled_at__gt=F("entered_at"))
        | Q(lead__converted_at__gt=F("entered_at"))
        | (Q(track__entry_trigger=EntryTrigger.STAGE) & ~Q(lead__stage=F("track__entry_stage")))
        | (Q(track__entry_trigger=EntryTrigger.RECONTACT) & ~Q(lead__stage__kind=StageKind.NURTURE))
        | Q(Exists(replied))
    )
    return list(
        NurtureEnrollment.objects.filter(status=EnrollmentStatus.ACTIVE)
        .filter(must_leave)
        .select_related("track", "lead__stage")
        .order_by("id")[:limit]
    )


def track_list() -> list[NurtureTrack]:
    """Every track with what the managers' list shows, in three queries whatever the
    number of tracks: tracks with their active enrollments, steps, send counts."""
    tracks = list(
        NurtureTrack.objects.select_related("service_line", "entry_stage")
        .annotate(
            active_count=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE))
        )
        .prefetch_related("steps")
        .order_by("-is_active", "name")
    )
    return _with_send_counts(tracks, since=timezone.now() - dt.timedelta(days=7))


def _with_send_counts(tracks: list[NurtureTrack], *, since: dt.datetime) -> list[NurtureTrack]:
    counts = {
        row["enrollment__track_id"]: row
        for row in NurtureSend.objects.filter(enrollment__track__in=tracks)
        .values("enrollment__track_id")
        .annotate(
            sent_week=Count("id", filter=Q(status=SendStatus.SENT, sent_at__gte=since)),
            failed=Count("id", filter=Q(status=SendStatus.FAILED)),
        )
    }
    for track in tracks:
        row = counts.get(track.pk, {})
        track.sent_week = row.get("sent_week", 0)
        track.failed_count = row.get("failed", 0)
    return tracks


def track_get(*, track_id: int) -> NurtureTrack:
    return NurtureTrack.objects.prefetch_related("steps").get(pk=track_id)


def tracks_open_for_enrollment() -> QuerySet[NurtureTrack]:
    """Tracks staff can put a lead on by hand: switched on, with at least one step."""
    return NurtureTrack.objects.filter(is_active=True, steps__isnull=False).distinct()


def lead_nurture_get(*, user: User, lead_id: int) -> tuple[Lead, list[NurtureEnrollment]]:
    """A lead the user may see (Lead.DoesNotExist otherwise) and its enrollments, newest
    first, each with its sends and their steps. The page names the person: the read is
    in the access log."""
    lead = lead_get_for_user(user=user, lead_id=lead_id)
    access_record(user=user, what="nurture page", lead_ids=[lead.pk], person_ids=[lead.person_id])
    enrollments = list(
        NurtureEnrollment.objects.filter(lead=lead)
        .select_related("track", "entered_by", "exited_by")
        .prefetch_related(
            Prefetch(
                "sends",
                queryset=NurtureSend.objects.select_related("step").order_by("step__position"),
            )
        )
        .order_by("-entered_at", "-id")
    )
    return lead, enrollments


def enrollment_get_for_user(*, user: User, enrollment_id: int) -> NurtureEnrollment:
    """An enrollment of a lead the user may see; NurtureEnrollment.DoesNotExist otherwise."""
    enrollment = NurtureEnrollment.objects.select_related("track").get(pk=enrollment_id)
    try:
        enrollment.lead = lead_get_for_user(user=user, lead_id=enrollment.lead_id)
    except Lead.DoesNotExist:
        raise NurtureEnrollment.DoesNotExist from None
    return enrollment


def failed_send_list(*, limit: int = 100) -> list[NurtureSend]:
    """Messages that could not be sent after every retry, newest first."""
    return list(
        NurtureSend.objects.filter(status=SendStatus.FAILED)
        .select_related("enrollment__track", "enrollment__lead__service_line", "step")
        .order_by("-created_at", "-id")[:limit]
    )


def failed_send_get(*, send_id: int) -> NurtureSend:
    return NurtureSend.objects.get(pk=send_id, status=SendStatus.FAILED)


def send_for_unsubscribe(*, send_id: int) -> NurtureSend:
    return NurtureSend.objects.select_related("enrollment__track", "enrollment__lead__person").get(
        pk=send_id
    )


def preview_lead_get_for_user(*, user: User, lead_id: int) -> Lead:
    """A lead the user may see, to preview a step's message against. The preview shows
    the person's first name and their coordinator, so it is recorded in the access log.
    Raises Lead.DoesNotExist outside the user's scope."""
    lead = lead_visible_to(
        user=user, leads=Lead.objects.select_related("person", "service_line", "location", "owner")
    ).get(pk=lead_id)
    access_record(
        user=user,
        what="nurture message preview",
        lead_ids=[lead.pk],
        person_ids=[lead.person_id],
    )
    return lead


def track_consent_channels(*, track: NurtureTrack) -> list[str]:
    """The consent channels a track's steps need, in step order (one query)."""
    channels = []
    for action in track.steps.order_by("position").values_list("action", flat=True):
        if CONSENT_CHANNELS[action] not in channels:
            channels.append(CONSENT_CHANNELS[action])
    return channels


def enrollment_consent_refusal(*, track: NurtureTrack, person: Person, channels: list[str]) -> str:
    """Why a person should not be put on a track by hand, or "": they agreed to none of
    its channels for its purpose, so no step could ever reach them. (Steps on channels
    without consent are skipped at delivery, see apps.nurture.delivery.)"""
    if any(
        consent_is_granted(person=person, channel=channel, purpose=track.purpose)
        for channel in channels
    ):
        return ""
    purpose = "marketing" if track.purpose == ConsentPurpose.MARKETING else "care coordination"
    words = " or ".join(CHANNEL_WORDS.get(channel, channel) for channel in channels)
    return f"No consent to {purpose} by {words}."
