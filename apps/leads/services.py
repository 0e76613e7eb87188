"""Writes to leads and their timeline. Every caller (intake, staff API, UI, tasks,
commands) goes through these functions, so the journey is always recorded."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.conflicts import StateConflict
from apps.facilities.models import Location
from apps.leads.choices import ActivityKind, Direction, LostReason, Urgency
from apps.leads.first_response import first_response_filter, is_first_response
from apps.leads.models import Activity, Lead, clock_stop_at, clock_stop_expression
from apps.leads.selectors import lead_visible_to
from apps.people.models import Person
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import PipelineStage, StageKind
from apps.pipeline.selectors import stage_get_by_slug
from apps.referral_sources.models import ReferralSource
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team, TeamMembership
from apps.webhooks import services as webhooks

UTM_FIELDS = ("source", "medium", "campaign", "term", "content")


# savepoint=False: inside a caller's transaction (intake) no SAVEPOINT/RELEASE round
# trips; an error here fails the caller's transaction as a whole, which is what every
# caller wants (nothing catches and carries on).
@transaction.atomic(savepoint=False)
def lead_create(
    *,
    person: Person,
    lead_type: str,
    channel: str,
    service_line: ServiceLine,
    caregiver: Person | None = None,
    location: Location | None = None,
    urgency: str = Urgency.ROUTINE,
    referral_source: ReferralSource | None = None,
    payer: str = "",
    condition_interest: str = "",
    message: str = "",
    utm: dict[str, str] | None = None,
    landing_page: str = "",
    external_id: str = "",
    captured_via: str = "",
    created_at: dt.datetime | None = None,
) -> Lead:
    """Open a new lead at stage New, with its first inquiry on the timeline. The one way
    a lead is made: intake, staff, seeds and benches all come through here.

    Routing is not done here: callers queue it after commit (see apps.routing).
    """
    created_at = created_at or timezone.now()
    utm = utm or {}
    lead = Lead.objects.create(
        person=person,
        caregiver=caregiver,
        lead_type=lead_type,
        channel=channel,
        service_line=service_line,
        location=location,
        urgency=urgency,
        stage=stage_get_by_slug(DefaultStage.NEW),
        stage_entered_at=created_at,
        referral_source=referral_source,
        payer=payer,
        condition_interest=condition_interest,
        message=message,
        landing_page=landing_page,
        first_touch_channel=channel,
        latest_touch_channel=channel,
        last_touch_at=created_at,
        external_id=external_id,
        captured_via=captured_via,
        created_at=created_at,
        **{f"utm_{name}": utm.get(name, "") for name in UTM_FIELDS},
    )
    Activity.objects.create(
        lead=lead,
        kind=ActivityKind.INQUIRY,
        direction=Direction.INBOUND,
        channel=channel,
        occurred_at=created_at,
        body=message,
        details=_touch_details(utm=utm, landing_page=landing_page, captured_via=captured_via),
    )
    webhooks.lead_created_emit(lead=lead)
    return lead


@transaction.atomic(savepoint=False)  # see lead_create
def lead_add_touch(
    *,
    lead: Lead,
    channel: str,
    message: str = "",
    utm: dict[str, str] | None = None,
    landing_page: str = "",
    captured_via: str = "",
    occurred_at: dt.datetime | None = None,
) -> Activity:
    """Record a repeat inquiry on an open lead: a new touch, the latest-touch channel.

    First-touch attribution is never overwritten; the touch keeps its own UTM details.
    """
    occurred_at = occurred_at or timezone.now()
    Lead.objects.filter(pk=lead.pk).update(
        latest_touch_channel=channel,
        touch_count=F("touch_count") + 1,
        last_touch_at=occurred_at,
        updated_at=occurred_at,
    )
    lead.refresh_from_db(fields=["latest_touch_channel", "touch_count", "last_touch_at"])
    return Activity.objects.create(
        lead=lead,
        kind=ActivityKind.INQUIRY,
        direction=Direction.INBOUND,
        channel=channel,
        occurred_at=occurred_at,
        body=message,
        details={
            "repeat": True,
            **_touch_details(utm=utm or {}, landing_page=landing_page, captured_via=captured_via),
        },
    )


def _touch_details(*, utm: dict[str, str], landing_page: str, captured_via: str) -> dict:
    details = {f"utm_{k}": v for k, v in utm.items() if v}
    if landing_page:
        details["landing_page"] = landing_page
    if captured_via:
        details["captured_via"] = captured_via
    return details


# The lead-page action (Lead.actions_allowed) a staff member's activity of each kind is.
STAFF_ACTION_OF_KIND = {
    ActivityKind.CALL: "call",
    ActivityKind.EMAIL: "message",
    ActivityKind.SMS: "message",
    ActivityKind.NOTE: "note",
    ActivityKind.TASK: "task",
    ActivityKind.MEETING: "note",
}


@transaction.atomic
def activity_log(
    *,
    lead: Lead,
    kind: str,
    actor: User | None,
    direction: str = Direction.INTERNAL,
    outcome: str = "",
    body: str = "",
    duration_seconds: int | None = None,
    occurred_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
    assignee: User | None = None,
    is_automated: bool = False,
    channel: str = "",
    details: dict | None = None,
) -> Activity:
    """Log a call, email, SMS, note, task or meeting on a lead.

    A first response (apps.leads.first_response: a call that reached the person, a
    message staff sent) stops the response clock: the lead's first_response_at becomes
    the earliest one, even when logged late, but no earlier than
    LEADS_CLOCK_BACKDATE_MINUTES before it was logged (models.clock_stop_at). A task
    goes only to someone who may see the lead.
    """
    now = timezone.now()
    occurred_at = occurred_at or now
    errors = {}
    if occurred_at > now + dt.timedelta(minutes=1):
        errors["occurred_at"] = "An activity cannot happen in the future."
    elif occurred_at < lead.created_at:
        errors["occurred_at"] = "An activity cannot happen before the lead was created."
    if kind == ActivityKind.TASK and due_at is None:
        errors["due_at"] = "A task needs a due time."
    if (
        kind == ActivityKind.TASK
        and assignee is not None
        and not lead_visible_to(user=assignee).filter(pk=lead.pk).exists()
    ):
        errors["assignee"] = (
            f"{assignee.display_name} cannot see this lead: give the task to its owner "
            "or someone on its team."
        )
    if kind in (ActivityKind.STAGE_CHANGE, ActivityKind.INQUIRY, ActivityKind.ASSIGNMENT):
        errors["kind"] = (
            "Stage changes, inquiries and assignments are recorded by their own services."
        )
    if errors:
        raise ValidationError(errors)
    if actor is not None and (refusal := lead.action_refusal(STAFF_ACTION_OF_KIND.get(kind, ""))):
        raise StateConflict({"kind": refusal})

    activity = Activity.objects.create(
        lead=lead,
        kind=kind,
        direction=direction,
        outcome=outcome,
        body=body,
        duration_seconds=duration_seconds,
        occurred_at=occurred_at,
        due_at=due_at,
        assignee=assignee if kind == ActivityKind.TASK else None,
        author=actor,
        is_automated=is_automated,
        channel=channel,
        details=details or {},
    )
    if is_first_response(
        kind=kind,
        direction=direction,
        outcome=outcome,
        by_staff=actor is not None,
        is_automated=is_automated,
    ):
        unanswered = lead.first_response_at is None
        stops_at = clock_stop_at(occurred_at=occurred_at, logged_at=now)
        # Conditional UPDATE: the earliest attempt wins, whatever order they are logged in.
        Lead.objects.filter(pk=lead.pk).filter(
            Q(first_response_at__isnull=True) | Q(first_response_at__gt=stops_at)
        ).update(first_response_at=stops_at, updated_at=now)
        lead.refresh_from_db(fields=["first_response_at"])
        if unanswered and lead.first_response_at == stops_at:
            webhooks.lead_first_response_emit(lead=lead)
    return activity


@transaction.atomic
def lead_stage_change(
    *,
    lead: Lead,
    to_stage: PipelineStage,
    actor: User | None,
    reason: str = "",
    lost_reason: str = "",
    lost_reason_note: str = "",
    appointment_at: dt.datetime | None = None,
    appointment_location: Location | None = None,
    recontact_on: dt.date | None = None,
    qualification_answers: dict | None = None,
) -> Activity:
    """Move a lead to another stage, after checking the move is allowed, and record it.

    Rules: Qualified needs an answer to each required qualification question of the
    service line; Scheduled needs the appointment time; Completed only follows
    Scheduled; lost stages need a lost reason; Not ready needs a re-contact date;
    reopening a closed lead needs a reason. Raises ValidationError keyed by field.
    """
    lead = Lead.objects.select_for_update().select_related("stage").get(pk=lead.pk)
    if actor is not None and (refusal := lead.action_refusal("stage")):
        raise StateConflict({"to_stage": refusal})
    from_stage = lead.stage
    now = timezone.now()
    _stage_change_validate(
        lead=lead,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        lost_reason=lost_reason,
        appointment_at=appointment_at,
        recontact_on=recontact_on,
        qualification_answers=qualification_answers,
        today=timezone.localdate(now),
    )

    lead.stage = to_stage
    lead.stage_entered_at = now
    update_fields = ["stage", "stage_entered_at", "updated_at"]
    if to_stage.is_closed:
        lead.closed_at = now
        update_fields.append("closed_at")
    elif lead.closed_at is not None:
        # Reopened: the outcome of the closed journey no longer holds. The timeline keeps
        # it, and Scheduled or Completed set these again if the lead gets there anew.
        lead.closed_at = None
        lead.lost_reason, lead.lost_reason_note = "", ""
        lead.converted_at = lead.scheduled_at = lead.appointment_at = None
        lead.appointment_location = None
        update_fields += [
            "closed_at",
            "lost_reason",
            "lost_reason_note",
            "converted_at",
            "scheduled_at",
            "appointment_at",
            "appointment_location",
        ]
    if to_stage.kind == StageKind.LOST:
        lead.lost_reason, lead.lost_reason_note = lost_reason, lost_reason_note
        lead.converted_at = None  # a completed lead found lost after all is no conversion
        update_fields += ["lost_reason", "lost_reason_note", "converted_at"]
    if to_stage.kind == StageKind.WON:
        lead.converted_at = now
        update_fields.append("converted_at")
    if to_stage.slug == DefaultStage.SCHEDULED:
        lead.scheduled_at = now
        lead.appointment_at = appointment_at
        lead.appointment_location = appointment_location or lead.location
        update_fields += ["scheduled_at", "appointment_at", "appointment_location"]
    if to_stage.kind == StageKind.NURTURE:
        lead.recontact_on = recontact_on
        update_fields.append("recontact_on")
    elif lead.recontact_on is not None:
        # Out of nurture: re-engagement must not pick the lead up on the old date.
        lead.recontact_on = None
        update_fields.append("recontact_on")
    if to_stage.slug == DefaultStage.QUALIFIED:
        lead.qualification_answers = qualification_answers or {}
        update_fields.append("qualification_answers")
    lead.save(update_fields=sorted(set(update_fields)))
    webhooks.lead_stage_changed_emit(lead=lead, from_stage_slug=from_stage.slug)

    details = {}
    if lost_reason:
        details["lost_reason"] = lost_reason
    if appointment_at:
        details["appointment_at"] = appointment_at.isoformat()
    if recontact_on:
        details["recontact_on"] = recontact_on.isoformat()
    return Activity.objects.create(
        lead=lead,
        kind=ActivityKind.STAGE_CHANGE,
        author=actor,
        from_stage=from_stage,
        to_stage=to_stage,
        occurred_at=now,
        body=reason or lost_reason_note,
        details=details,
    )


def _stage_change_validate(
    *,
    lead: Lead,
    from_stage: PipelineStage,
    to_stage: PipelineStage,
    reason: str,
    lost_reason: str,
    appointment_at: dt.datetime | None,
    recontact_on: dt.date | None,
    qualification_answers: dict | None,
    today: dt.date,
) -> None:
    errors: dict[str, str] = {}
    # What the lead's current state refuses (409 in the API), apart from what the
    # request itself lacks (400): the same request could succeed on another lead.
    conflicts: dict[str, str] = {}
    if not to_stage.is_active:
        errors["stage"] = f"The stage {to_stage.name} is no longer in use."
    elif to_stage.pk == from_stage.pk:
        conflicts["stage"] = f"The lead is already at {from_stage.name}."
    elif to_stage.kind == StageKind.WON and from_stage.slug != DefaultStage.SCHEDULED:
        conflicts["stage"] = f"A lead reaches {to_stage.name} only from Scheduled."
    if from_stage.is_closed and not reason.strip():
        conflicts["reason"] = f"Say why this {from_stage.name.lower()} lead is reopened."
    if to_stage.kind == StageKind.LOST and lost_reason not in LostReason.values:
        errors["lost_reason"] = "Choose why the lead was lost."
    if to_stage.slug == DefaultStage.SCHEDULED and appointment_at is None:
        errors["appointment_at"] = "Give the appointment date and time."
    if to_stage.kind == StageKind.NURTURE:
        if recontact_on is None:
            errors["recontact_on"] = "Give the date to contact this person again."
        elif recontact_on <= today:
            errors["recontact_on"] = "The re-contact date must be in the future."
    if to_stage.slug == DefaultStage.QUALIFIED:
        answers = qualification_answers or {}
        missing = [
            question.text
            for question in lead.service_line.qualification_questions.all()
            if question.is_required and _is_blank(answers.get(str(question.pk)))
        ]
        if missing:
            conflicts["qualification_answers"] = "Answer: " + "; ".join(missing)
    if errors:
        raise ValidationError({**conflicts, **errors})
    if conflicts:
        raise StateConflict(conflicts)


def _is_blank(answer) -> bool:
    return answer is None or str(answer).strip() == ""


@transaction.atomic
def lead_assign(
    *,
    lead: Lead,
    owner: User | None,
    team: Team | None,
    actor: User | None,
    body: str = "",
    details: dict | None = None,
) -> Activity:
    """Give a lead to a team and/or owner and write it on the timeline: the one write of
    Lead.owner and Lead.team outside routing's decisions.

    The owner must be a member of the team (ValidationError on "owner" or "team"). Who
    may assign what by hand, and the side effects on routing and the response clock,
    are apps.routing.assignment's: staff go through it, never here directly.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    previous_owner_id, previous_team_id = lead.owner_id, lead.team_id
    if (owner.pk if owner else None, team.pk if team else None) == (lead.owner_id, lead.team_id):
        raise StateConflict({"owner": "The lead already has this owner and team."})
    owner_in_team_validate(owner=owner, team=team)
    lead.owner, lead.team = owner, team
    lead.save(update_fields=["owner", "team", "updated_at"])
    webhooks.lead_assigned_emit(
        lead=lead, previous_owner_id=previous_owner_id, previous_team_id=previous_team_id
    )
    return Activity.objects.create(
        lead=lead,
        kind=ActivityKind.ASSIGNMENT,
        author=actor,
        body=body,
        details={
            **(details or {}),
            "from_owner_id": previous_owner_id,
            "to_owner_id": owner.pk if owner else None,
            "from_team_id": previous_team_id,
            "to_team_id": team.pk if team else None,
        },
    )


def owner_in_team_validate(*, owner: User | None, team: Team | None) -> None:
    """The rule of who may own a lead: a member of the lead's team. Raises a
    ValidationError keyed by field; a lead may wait in a team's queue with no owner."""
    if owner is None:
        return
    if team is None:
        raise ValidationError({"team": f"Choose the team {owner.display_name} works it in."})
    if not TeamMembership.objects.filter(team=team, user=owner).exists():
        raise ValidationError({"owner": f"{owner.display_name} is not a member of {team.name}."})


LEAD_EDITABLE_FIELDS = (
    "urgency",
    "location",
    "referral_source",
    "payer",
    "condition_interest",
    "score",
    "lead_type",
    "service_line",
)


@transaction.atomic
def lead_update(*, lead: Lead, actor: User | None, **changes) -> Lead:
    """Edit a lead's descriptive fields. Stage and owner have their own services."""
    unknown = set(changes) - set(LEAD_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited here." for name in unknown})
    new_source = changes.get("referral_source")
    if (
        "referral_source" in changes
        and lead.referral_source_id is not None
        and (new_source is None or new_source.pk != lead.referral_source_id)
    ):
        # Attribution: the source of the first meaningful interaction stays; a different
        # source at appointment is recorded apart (referral_source_at_appointment).
        raise StateConflict(
            {
                "referral_source": "The first referral source stays on the lead; record a "
                "different source at appointment instead."
            }
        )
    for name, value in changes.items():
        setattr(lead, name, value)
    if changes:
        lead.full_clean(exclude=["person", "stage"], validate_unique=False)
        lead.save(update_fields=[*changes, "updated_at"])
    return lead


# What staff log by hand, and so may strike through; inquiries, stage changes and
# assignments are the record of other services.
STRIKABLE_KINDS = (
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.SMS,
    ActivityKind.NOTE,
    ActivityKind.TASK,
    ActivityKind.MEETING,
)


@transaction.atomic
def activity_strike(*, activity: Activity, actor: User, reason: str) -> Activity:
    """Strike a timeline entry logged in error through, with a reason; the original
    stays as it was written. Side effect: a struck contact attempt no longer stops the
    response clock (first_response_at is worked out again from the others). Raises
    ValidationError keyed by field.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    errors = {}
    if activity.kind not in STRIKABLE_KINDS or activity.author_id is None:
        errors["activity"] = "Only entries staff logged by hand can be struck through."
    elif activity.struck_at is not None:
        errors["activity"] = "This entry is already struck through."
    if not reason.strip():
        errors["reason"] = "Say why this entry is struck through."
    if errors:
        raise ValidationError(errors)
    activity.struck_at, activity.struck_by, activity.strike_reason = (
        timezone.now(),
        actor,
        reason.strip()[:500],
    )
    activity.save(update_fields=["struck_at", "struck_by", "strike_reason"])
    if is_first_response(
        kind=activity.kind,
        direction=activity.direction,
        outcome=activity.outcome,
        by_staff=True,
        is_automated=activity.is_automated,
    ):
        earliest = (
            Activity.objects.filter(first_response_filter(), lead_id=activity.lead_id)
            .order_by()
            .aggregate(earliest=Min(clock_stop_expression()))["earliest"]
        )
        Lead.objects.filter(pk=activity.lead_id).update(
            first_response_at=earliest, updated_at=timezone.now()
        )
    return activity


@transaction.atomic
def task_complete(*, task: Activity, actor: User) -> Activity:
    """Mark a follow-up task or callback done; it leaves the assignee's queue.

    Conditional UPDATE: completing twice (double click, two tabs) keeps the first time.
    """
    if task.kind != ActivityKind.TASK:
        raise ValidationError({"task": "Only tasks can be marked done."})
    now = timezone.now()
    Activity.objects.filter(pk=task.pk, completed_at__isnull=True).update(
        completed_at=now, details={**task.details, "completed_by_id": actor.pk}
    )
    task.refresh_from_db(fields=["completed_at", "details"])
    return task
