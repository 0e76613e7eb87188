"""Reads for the lead page: the lead, one timeline of everything that happened to it
(activities, stage changes, routing decisions, alerts, merges), consent per channel,
suggested duplicates, and what the quick-action forms offer.

A fixed number of queries whatever the length of the timeline: each kind of entry is
read in one query and merged in Python.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.audit.services import access_record
from apps.core.readable import choice_label, duration_text
from apps.facilities.models import Location
from apps.leads.choices import ActivityKind, Direction, LostReason, Outcome
from apps.leads.merging import (
    DuplicateSuggestion,
    lead_duplicate_suggestions,
    lead_merge_reasons,
    lead_merges_for,
)
from apps.leads.models import Activity, Lead, LeadMerge
from apps.leads.selectors import lead_visible_to
from apps.leads.services import STRIKABLE_KINDS
from apps.nurture.timing import quiet_hours_end
from apps.people.models import ConsentChannel, ConsentPurpose, ConsentStatus
from apps.people.selectors import consents_in_force
from apps.pipeline.models import PipelineStage
from apps.pipeline.selectors import stage_list_cached
from apps.privacy.models import EmergencyAccess
from apps.privacy.selectors import (
    emergency_access_active,
    emergency_access_holders,
    emergency_reason_text,
)
from apps.queue.selectors.queue import queue_team_ids
from apps.queue.selectors.rows import lead_clock_state
from apps.safety.models import LeadSafetyFlag
from apps.safety.selectors import lead_safety_flag_latest
from apps.servicelines.models import QualificationQuestion
from apps.teams.models import Team, TeamMembership

# The newest entries shown; the rest behind "Show the whole timeline".
TIMELINE_LIMIT = 100
TASK_LABELS = {"follow_up": "Follow-up", "callback": "Callback"}


@dataclass
class TimelineEntry:
    """One line of the lead's story, whatever table it came from."""

    at: dt.datetime
    kind: str  # an ActivityKind, or "alert" / "merge"
    title: str
    body: str = ""
    actor: str = ""
    activity: Activity | None = None
    merge: LeadMerge | None = None
    tone: str = ""  # "", "ok", "warn", "danger": the badge colour
    order: tuple = ()
    logged_late: str = ""  # "3 days": logged that long after it happened (backdated)
    can_strike: bool = False  # staff logged it by hand and it stands: may be struck through


@dataclass(frozen=True)
class ConsentCell:
    """One channel and purpose as the consent table shows it."""

    tone: str = ""  # "ok" granted, "danger" withdrawn, "" never asked
    label: str = "Not asked"
    recorded_on: dt.date | None = None
    how: str = ""


@dataclass
class ConsentRow:
    channel: str
    care: ConsentCell
    marketing: ConsentCell

    @property
    def cells(self) -> tuple[ConsentCell, ConsentCell]:
        return (self.care, self.marketing)


@dataclass
class LeadPage:
    lead: Lead
    clock_state: str
    warn_at: dt.datetime | None
    timeline: list[TimelineEntry]
    timeline_truncated: bool
    open_tasks: list[Activity]
    person_consents: list[ConsentRow]
    caregiver_consents: list[ConsentRow]
    duplicates: list[DuplicateSuggestion]
    merged_into: LeadMerge | None
    questions: list[QualificationQuestion]
    answers: list[tuple[str, str]]
    stages: list[PipelineStage]
    locations: list[Location]
    can_claim: bool
    can_reassign: bool
    appointment_zone: str = ""
    safety_flag: LeadSafetyFlag | None = None
    # The person agreed to texts about their inquiry: else logging an SMS warns.
    texts_allowed: bool = False
    # The patient's clock (their location's zone) and, inside the quiet hours there,
    # when calling hours start again.
    now: dt.datetime | None = None
    patient_zone: str = ""
    patient_quiet_until: dt.datetime | None = None
    reassign_teams: list[Team] = field(default_factory=list)
    reassign_memberships: list[TeamMembership] = field(default_factory=list)
    emergency: EmergencyAccess | None = None  # the user's own break-the-glass, if opened so
    emergency_holders: list[EmergencyAccess] = field(default_factory=list)

    @property
    def safety_flags(self) -> list[LeadSafetyFlag]:
        return [self.safety_flag] if self.safety_flag else []


def lead_in_reach(
    *, user: User, lead_id: int, related: tuple[str, ...]
) -> tuple[Lead, EmergencyAccess | None]:
    """The lead, for a user who may see its patient: in their scope, or opened by
    break-the-glass (then with that EmergencyAccess, for the access log's reason). The
    lead page and its History tab share this rule.

    Raises Lead.DoesNotExist otherwise (views answer 404).
    """
    try:
        return lead_visible_to(user=user).select_related(*related).get(pk=lead_id), None
    except Lead.DoesNotExist:
        # Outside the user's scope: only a break-the-glass opens it (else still 404).
        emergency = emergency_access_active(user=user, lead_id=lead_id)
        if emergency is None:
            raise
        return Lead.objects.select_related(*related).get(pk=lead_id), emergency


def lead_page_get(*, user: User, lead_id: int, whole_timeline: bool = False) -> LeadPage:
    """Everything the lead page shows, for a lead the user may see.

    Raises Lead.DoesNotExist for a lead the user may not see (views answer 404), so a
    coordinator cannot tell another team's lead from one that does not exist.
    """
    # Few joins: planning a ten-way join cost more than running it. Stages come from the
    # process's cache and locations from the list the stage form needs anyway.
    lead, emergency = lead_in_reach(
        user=user,
        lead_id=lead_id,
        related=("person", "caregiver", "service_line", "owner", "team", "referral_source"),
    )
    all_locations = list(Location.objects.order_by("name"))
    locations_by_id = {location.pk: location for location in all_locations}
    stages_by_id = {stage.pk: stage for stage in stage_list_cached()}
    lead.stage = stages_by_id[lead.stage_id]
    lead.location = locations_by_id.get(lead.location_id)
    lead.appointment_location = locations_by_id.get(lead.appointment_location_id)
    now = timezone.now()
    limit = None if whole_timeline else TIMELINE_LIMIT

    activities = list(
        Activity.objects.filter(lead=lead)
        .select_related("author", "from_stage", "to_stage", "assignee", "struck_by")
        .order_by("-occurred_at", "-id")[: limit + 1 if limit else None]
    )
    truncated = bool(limit) and len(activities) > limit
    activities = activities[:limit] if limit else activities
    open_tasks = list(
        Activity.objects.filter(lead=lead, kind=ActivityKind.TASK, completed_at__isnull=True)
        .select_related("assignee")
        .order_by("due_at", "id")
    )
    merges = list(lead_merges_for(lead_ids=[lead.pk]))
    merged_into = next(
        (m for m in merges if m.duplicate_id == lead.pk and m.undone_at is None), None
    )
    # Alerts stay with the lead they were raised on; a survivor shows those of the
    # leads merged into it as well, since their activities now live here.
    alert_lead_ids = [lead.pk] + [
        m.duplicate_id for m in merges if m.survivor_id == lead.pk and m.undone_at is None
    ]
    alerts = _alerts_for(lead_ids=alert_lead_ids, limit=limit)

    timeline = [_activity_entry(activity) for activity in activities]
    timeline += _alert_entries(alerts)
    timeline += [_merge_entry(merge, lead=lead) for merge in merges]
    timeline.sort(key=lambda entry: (entry.at, entry.order), reverse=True)

    person_ids = [lead.person_id] + ([lead.caregiver_id] if lead.caregiver_id else [])
    in_force = consents_in_force(person_ids=person_ids)
    consents = _consent_rows(in_force)
    visible = lead_visible_to(user=user)
    duplicates = (
        [] if lead.merged_into_id else lead_duplicate_suggestions(lead=lead, visible=visible)
    )

    questions = list(
        QualificationQuestion.objects.filter(service_line_id=lead.service_line_id).order_by(
            "position", "id"
        )
    )
    answers = [
        (question.text, _answer_text(lead.qualification_answers.get(str(question.pk))))
        for question in questions
        if str(question.pk) in lead.qualification_answers
    ]
    stages = [stage for stage in stages_by_id.values() if stage.is_active]
    locations = [location for location in all_locations if location.is_active]

    sees_all = user_sees_all_leads(user=user)
    can_claim = (
        lead.is_open
        and lead.owner_id is None
        and lead.merged_into_id is None
        and (sees_all or lead.team_id in queue_team_ids(user=user))
    )
    page = LeadPage(
        lead=lead,
        clock_state="",
        warn_at=None,
        timeline=timeline,
        timeline_truncated=truncated,
        open_tasks=open_tasks,
        person_consents=consents[lead.person_id],
        caregiver_consents=consents.get(lead.caregiver_id, []),
        duplicates=duplicates,
        merged_into=merged_into,
        questions=questions,
        answers=answers,
        stages=stages,
        locations=locations,
        can_claim=can_claim,
        can_reassign=sees_all and "assign" in lead.actions_allowed,
    )
    page.clock_state, page.warn_at = lead_clock_state(lead=lead, now=now)
    page.safety_flag = lead_safety_flag_latest(lead=lead)
    sms = in_force[lead.person_id].get(ConsentPurpose.CARE_COORDINATION, {}).get(ConsentChannel.SMS)
    page.texts_allowed = sms is not None and sms.status == ConsentStatus.GRANTED
    page.now = now
    if lead.location is not None:
        page.patient_zone = lead.location.time_zone
        page.patient_quiet_until = quiet_hours_end(location=lead.location, at=now)
    if lead.appointment_at:
        # The time the patient is told: the clock on the wall where the appointment is.
        place = lead.appointment_location or lead.location
        page.appointment_zone = place.time_zone if place else timezone.get_current_timezone_name()
    page.emergency = emergency
    page.emergency_holders = list(emergency_access_holders(lead_id=lead.pk))
    access_record(
        user=user,
        what="lead page",
        break_glass=emergency is not None,
        reason=emergency_reason_text(emergency) if emergency else "",
        lead_ids=[lead.pk] + [suggestion.lead.pk for suggestion in duplicates],
        person_ids=[lead.person_id, lead.caregiver_id]
        + [suggestion.lead.person_id for suggestion in duplicates],
    )
    if page.can_reassign:
        page.reassign_teams = list(Team.objects.filter(is_active=True).order_by("name"))
        page.reassign_memberships = list(
            TeamMembership.objects.filter(team__is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("team_id", "user__first_name", "user__last_name")
        )
    return page


def _alerts_for(*, lead_ids: list[int], limit: int | None) -> list:
    """Alerts about these leads, when the alerts app is installed."""
    if not django_apps.is_installed("apps.alerts"):
        return []
    from apps.alerts.models import Alert

    alerts = (
        Alert.objects.filter(lead_id__in=lead_ids)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )
    return list(alerts[:limit] if limit else alerts)


def _alert_entries(alerts) -> list[TimelineEntry]:
    """One entry per alert event: the same level fired to several people (owner, team
    lead, managers) at once reads as one line naming them all."""
    grouped: dict[tuple, list] = {}
    for alert in alerts:
        moment = alert.created_at.replace(microsecond=0)
        grouped.setdefault((alert.lead_id, alert.level, alert.activity_id, moment), []).append(
            alert
        )
    entries = []
    for alerts_of_event in grouped.values():
        first = alerts_of_event[0]
        names = ", ".join(sorted(alert.recipient.display_name for alert in alerts_of_event))
        entries.append(
            TimelineEntry(
                at=first.created_at,
                kind="alert",
                title=f"Alert: {first.get_level_display()}",
                body=f"Sent to {names}.",
                tone="danger" if first.level in ("breach", "red_flag", "reassigned") else "warn",
                order=(1, first.pk),
            )
        )
    return entries


def _merge_entry(merge: LeadMerge, *, lead: Lead) -> TimelineEntry:
    who = merge.merged_by.display_name if merge.merged_by else "someone"
    count = len(merge.moved_activity_ids)
    moved = f"{count} entr{'y' if count == 1 else 'ies'} moved"
    if merge.survivor_id == lead.pk:
        title = f"Lead #{merge.duplicate_id} merged into this lead"
        body = f"{moved} here from lead #{merge.duplicate_id}."
    else:
        title = f"Merged into lead #{merge.survivor_id}"
        body = f"{moved} to lead #{merge.survivor_id}."
    if merge.undone_at:
        undone_by = merge.undone_by.display_name if merge.undone_by else "someone"
        undone_at = date_format(timezone.localtime(merge.undone_at), "SHORT_DATETIME_FORMAT")
        body += f" Undone by {undone_by} on {undone_at}."
    return TimelineEntry(
        at=merge.merged_at,
        kind="merge",
        title=title,
        body=body,
        actor=who,
        merge=merge,
        order=(2, merge.pk),
    )


def _activity_entry(activity: Activity) -> TimelineEntry:
    entry = TimelineEntry(
        at=activity.occurred_at,
        kind=activity.kind,
        title=activity.get_kind_display(),
        body=activity.body,
        actor=activity.author.display_name if activity.author else "",
        activity=activity,
        order=(0, activity.pk),
    )
    entry.can_strike = (
        activity.kind in STRIKABLE_KINDS
        and activity.author_id is not None
        and activity.struck_at is None
    )
    late = activity.logged_late_by
    if late is not None and activity.author_id is not None:
        entry.logged_late = timesince(activity.occurred_at, activity.created_at)
    kind, outcome = activity.kind, activity.get_outcome_display() if activity.outcome else ""
    if kind == ActivityKind.CALL:
        direction = "Inbound call" if activity.direction == Direction.INBOUND else "Outbound call"
        parts = [direction, outcome]
        if activity.duration_seconds:
            parts.append(duration_text(activity.duration_seconds / 60))
        entry.title = " · ".join(part for part in parts if part)
        entry.tone = "ok" if activity.outcome == Outcome.REACHED else ""
        if activity.outcome == Outcome.MISSED_INBOUND_CALL:
            entry.tone = "warn"
    elif kind in (ActivityKind.EMAIL, ActivityKind.SMS):
        label = activity.get_kind_display()
        if activity.direction == Direction.INBOUND:
            entry.title = f"{label} received"
        else:
            automatic = "Automatic " if activity.is_automated else ""
            entry.title = (
                f"{automatic}{label.lower() if automatic else label} {outcome.lower() or 'sent'}"
            )
    elif kind == ActivityKind.TASK:
        label = TASK_LABELS.get(activity.details.get("task_type"), "Task")
        due = timezone.localtime(activity.due_at)
        entry.title = f"{label} due {date_format(due, 'DATETIME_FORMAT')}"
        if activity.assignee:
            entry.title += f" for {activity.assignee.display_name}"
        if activity.completed_at:
            entry.title += " (done)"
            entry.tone = "ok"
    elif kind == ActivityKind.INQUIRY:
        repeat = "Repeat inquiry" if activity.details.get("repeat") else "Inquiry"
        entry.title = f"{repeat} via {activity.get_channel_display() or 'unknown channel'}"
    elif kind == ActivityKind.STAGE_CHANGE:
        source = activity.from_stage.name if activity.from_stage else "—"
        entry.title = f"Stage: {source} → {activity.to_stage.name}"
        details = activity.details
        extras = []
        if details.get("appointment_at"):
            # Kept as entered: the wall-clock time at the appointment's location.
            appointment = dt.datetime.fromisoformat(details["appointment_at"])
            extras.append(
                f"Appointment {date_format(appointment, 'DATE_FORMAT')}, "
                f"{date_format(appointment, 'TIME_FORMAT')}"
            )
        if details.get("lost_reason"):
            extras.append(f"Reason: {choice_label(LostReason, details['lost_reason'])}")
        if details.get("recontact_on"):
            recontact = dt.date.fromisoformat(details["recontact_on"])
            extras.append(f"Contact again on {date_format(recontact, 'DATE_FORMAT')}")
        entry.body = " · ".join(extras + ([activity.body] if activity.body else []))
    elif kind == ActivityKind.ASSIGNMENT:
        if activity.author is None:
            entry.title = "Routed"
        elif activity.body == "Claimed":
            entry.title, entry.body = "Claimed", ""
        else:
            entry.title = "Reassigned"
    return entry


def _consent_rows(in_force: dict[int, dict]) -> dict[int, list[ConsentRow]]:
    rows = {}
    for person_id, by_purpose in in_force.items():
        rows[person_id] = [
            ConsentRow(
                channel=label,
                care=_consent_cell(by_purpose.get(ConsentPurpose.CARE_COORDINATION, {}), channel),
                marketing=_consent_cell(by_purpose.get(ConsentPurpose.MARKETING, {}), channel),
            )
            for channel, label in ConsentChannel.choices
        ]
    return rows


def _consent_cell(by_channel: dict, channel: str) -> ConsentCell:
    consent = by_channel.get(channel)
    if consent is None:
        return ConsentCell()
    how = consent.get_method_display() + (f" · {consent.source}" if consent.source else "")
    return ConsentCell(
        tone="ok" if consent.status == ConsentStatus.GRANTED else "danger",
        label=consent.get_status_display(),
        recorded_on=timezone.localdate(consent.recorded_at),
        how=how,
    )


def _answer_text(value) -> str:
    if value in (True, "yes"):
        return "Yes"
    if value in (False, "no"):
        return "No"
    return "" if value is None else str(value)


def lead_for_action(*, user: User, lead_id: int) -> Lead:
    """The lead a quick action writes to, if the user may see it or holds emergency
    access to it (else DoesNotExist)."""
    leads = Lead.objects.select_related("stage", "service_line", "team")
    try:
        return lead_visible_to(user=user, leads=leads).get(pk=lead_id)
    except Lead.DoesNotExist:
        if emergency_access_active(user=user, lead_id=lead_id) is None:
            raise
        return leads.get(pk=lead_id)


def activity_for_action(*, lead: Lead, activity_id: int) -> Activity:
    """An entry of this lead's timeline (else DoesNotExist)."""
    return Activity.objects.get(pk=activity_id, lead=lead)


def task_for_action(*, lead: Lead, task_id: int) -> Activity:
    """An open or done task on this lead (else DoesNotExist)."""
    return Activity.objects.get(pk=task_id, lead=lead, kind=ActivityKind.TASK)


def merge_for_action(*, user: User, merge_id: int) -> LeadMerge:
    """A merge both of whose leads the user may see (else DoesNotExist): undoing it
    writes to both."""
    visible = lead_visible_to(user=user).values("pk")
    return LeadMerge.objects.filter(survivor__in=visible, duplicate__in=visible).get(pk=merge_id)


@dataclass
class MergePreview:
    """Two leads side by side before one is merged into the other."""

    survivor: Lead
    duplicate: Lead
    reasons: tuple[str, ...]  # why they look like one person; empty: no merge
    survivor_entries: int  # timeline entries on each
    duplicate_entries: int


def merge_preview_get(*, user: User, survivor_id: int, duplicate_id: int) -> MergePreview:
    """Both leads of a merge, if the user may see both (else Lead.DoesNotExist)."""
    leads = {
        lead.pk: lead
        for lead in lead_visible_to(user=user)
        .select_related("person", "service_line", "stage", "team", "owner")
        .filter(pk__in=[survivor_id, duplicate_id])
    }
    if survivor_id == duplicate_id or len(leads) != 2:
        raise Lead.DoesNotExist("No such pair of leads.")
    survivor, duplicate = leads[survivor_id], leads[duplicate_id]
    access_record(
        user=user,
        what="merge screen",
        lead_ids=leads,
        person_ids=[survivor.person_id, duplicate.person_id],
    )
    entries = dict(
        Activity.objects.filter(lead_id__in=leads)
        .values("lead_id")
        .annotate(count=Count("id"))
        .values_list("lead_id", "count")
        .order_by()
    )
    return MergePreview(
        survivor=survivor,
        duplicate=duplicate,
        reasons=lead_merge_reasons(survivor=survivor, duplicate=duplicate),
        survivor_entries=entries.get(survivor_id, 0),
        duplicate_entries=entries.get(duplicate_id, 0),
    )
