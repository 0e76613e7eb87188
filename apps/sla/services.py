"""Writes of the response clock: the clock at routing, and the escalation sweep that
beat runs every few seconds.

Each escalation step is a `LeadEscalation` row with a due time. The sweep claims due
rows with `SELECT ... FOR UPDATE SKIP LOCKED` (two sweeps never take the same row),
fires their alerts and marks them done in the same transaction: a worker killed
mid-run rolls back and the next sweep does the work again, and the alerts' unique
constraint keeps that from alerting twice.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.alerts.choices import AlertLevel
from apps.alerts.selectors import (
    lead_owner_or_team_lead,
    managers_to_alert,
)
from apps.alerts.services import AlertSpec, alerts_fire
from apps.facilities.models import Location
from apps.leads.choices import Direction, Outcome, Urgency
from apps.leads.first_response import first_response_filter
from apps.leads.models import Activity, Lead
from apps.leads.services import lead_assign
from apps.safety.services import lead_safety_alert_routed
from apps.servicelines.models import ServiceLine
from apps.sla.choices import EscalationLevel, EscalationOutcome
from apps.sla.models import LeadEscalation, MissedCallScan, ResponsePolicy
from apps.sla.selectors import (
    OpeningSchedule,
    ResponseTarget,
    opening_schedule_for,
    response_target_for_lead,
    schedule_time_add,
)
from apps.teams.models import Team
from apps.webhooks import services as webhooks

logger = logging.getLogger(__name__)

# Activities younger than this are read again by the next scan: a transaction that took
# an activity id earlier may commit after a later one, and must not be skipped.
MISSED_CALL_SCAN_OVERLAP = dt.timedelta(minutes=2)
SLA_LEVELS = (
    EscalationLevel.OWNER_NOTICE,
    EscalationLevel.BREACH,
    EscalationLevel.FALLBACK_REASSIGN,
)


# --- The response clock at routing ----------------------------------------------
#
# Every routed lead needs its policy and its location's opening hours, read from the
# database by the worker that routes it: an edit applies to the next lead.

# What sla_clock_plan reads of a lead (a caller loading the lead itself selects these).
SLA_CLOCK_FIELDS = (
    "id",
    "lead_type",
    "urgency",
    "service_line",
    "location",
    "first_response_at",
    "closed_at",
    "sla_due_at",
)


def lead_response_target(*, lead: Lead) -> ResponseTarget:
    """What the lead is held to (its target minutes, how they count, its escalation
    chain): the one way to get it. Reads SLA_CLOCK_FIELDS of the lead."""
    # The target depends on these three only: work it out on a bare lead carrying them
    # and a fully loaded service line (its default minutes).
    line = ServiceLine.objects.get(pk=lead.service_line_id)
    sample = Lead(service_line=line, urgency=lead.urgency, lead_type=lead.lead_type)
    return response_target_for_lead(lead=sample)


def _opening_schedule(*, location_id: int | None) -> OpeningSchedule:
    location = (
        Location.objects.prefetch_related("business_hours", "holidays").get(pk=location_id)
        if location_id is not None
        else None
    )
    return opening_schedule_for(location=location)


def response_clock_add(
    *,
    target: ResponseTarget,
    location_id: int | None,
    start: dt.datetime,
    minutes: float,
    schedule: OpeningSchedule | None = None,
) -> dt.datetime:
    """`minutes` later on the clock the target counts in: wall clock for urgent leads,
    the business hours of the lead's location otherwise (`schedule`, when the caller
    has read them already)."""
    if not target.business_hours:
        return start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)
    schedule = schedule or _opening_schedule(location_id=location_id)
    return schedule_time_add(schedule=schedule, start=start, minutes=minutes)


@dataclass(frozen=True)
class SlaClock:
    """A lead's response clock worked out, not yet written: when the first response is
    due, and the escalation steps to schedule (none for a lead answered or closed)."""

    due_at: dt.datetime
    steps: tuple[tuple[str, dt.datetime], ...]
    # The lead had a clock already (re-routed): its steps not yet done are replaced.
    restarts: bool


def sla_clock_plan(*, lead: Lead, started_at: dt.datetime) -> SlaClock:
    """The clock `lead_sla_start` would start at `started_at`, without writing it.

    Reads SLA_CLOCK_FIELDS of `lead`, which must be current. The due time comes from the
    most specific response policy (lead_response_target); the policies and opening
    hours are read from the database, the hours once per clock.
    """
    target = lead_response_target(lead=lead)
    schedule = _opening_schedule(location_id=lead.location_id) if target.business_hours else None

    def clock_add(start: dt.datetime, minutes: float) -> dt.datetime:
        return response_clock_add(
            target=target,
            location_id=lead.location_id,
            start=start,
            minutes=minutes,
            schedule=schedule,
        )

    due_at = clock_add(started_at, target.minutes)
    steps: list[tuple[str, dt.datetime]] = []
    if lead.first_response_at is None and lead.closed_at is None:
        if target.owner_notice_percent:
            notice_minutes = target.minutes * target.owner_notice_percent / 100
            steps.append((EscalationLevel.OWNER_NOTICE, clock_add(started_at, notice_minutes)))
        if target.alert_at_breach:
            steps.append((EscalationLevel.BREACH, due_at))
        if target.fallback_after_breach_minutes is not None:
            reassign_at = clock_add(due_at, target.fallback_after_breach_minutes)
            steps.append((EscalationLevel.FALLBACK_REASSIGN, reassign_at))
    # Steps are only ever scheduled with a due time: a lead without one has none pending.
    return SlaClock(due_at=due_at, steps=tuple(steps), restarts=lead.sla_due_at is not None)


# Nested in routing's transaction, a savepoint would only add two round trips: any error
# here fails the routing as a whole anyway.
@transaction.atomic(savepoint=False)
def lead_sla_clock_schedule(*, lead: Lead, clock: SlaClock) -> None:
    """Schedule the escalation steps of a clock whose due time the caller has just
    written on the lead row (routing, in its one UPDATE of the lead).

    Called again for a lead (re-routing), it moves the steps not yet done; steps already
    done stay done, so no level fires twice. Side effects: a lead flagged by safety
    screening is alerted at once (apps.safety.services.lead_safety_alert_routed).
    """
    if clock.restarts:
        LeadEscalation.objects.filter(
            lead_id=lead.pk, level__in=SLA_LEVELS, done_at__isnull=True
        ).delete()
    if clock.steps:
        # Steps already done conflict on the uniqueness constraint and are kept.
        LeadEscalation.objects.bulk_create(
            [LeadEscalation(lead_id=lead.pk, level=level, due_at=at) for level, at in clock.steps],
            ignore_conflicts=True,
        )
    # Screening makes a flagged lead urgent at intake, so only an urgent lead is looked
    # up; one that staff have since judged not urgent gets no "call now".
    if lead.urgency == Urgency.URGENT:
        lead_safety_alert_routed(lead=lead)


@transaction.atomic(savepoint=False)
def lead_sla_start(*, lead: Lead, started_at: dt.datetime) -> None:
    """Start the lead's response clock at `started_at` (routing and reassignment by hand).

    Sets Lead.sla_due_at from the lead's target (lead_response_target) and
    schedules its escalation steps: owner notice, breach, fallback reassignment.
    Called again (re-routing), it moves the steps not yet done; steps already done
    stay done, so no level fires twice. A lead already answered or closed gets a due
    time but no steps. Side effects: see lead_sla_clock_schedule (safety alert).
    """
    current = Lead.objects.only(*SLA_CLOCK_FIELDS).get(pk=lead.pk)
    clock = sla_clock_plan(lead=current, started_at=started_at)
    Lead.objects.filter(pk=lead.pk).update(sla_due_at=clock.due_at, updated_at=timezone.now())
    lead.sla_due_at = current.sla_due_at = clock.due_at
    lead_sla_clock_schedule(lead=current, clock=clock)


@transaction.atomic(savepoint=False)
def lead_sla_urgency_raised(*, lead: Lead, at: dt.datetime) -> bool:
    """A routed, unanswered lead became more urgent at `at` (a repeat inquiry, or safety
    screening): its clock restarts on the new target when that falls due sooner than the
    current one. Returns True when the due time moved. Side effects: see lead_sla_start."""
    current = Lead.objects.only(*SLA_CLOCK_FIELDS).get(pk=lead.pk)
    if current.sla_due_at is None or current.first_response_at or current.closed_at:
        return False
    clock = sla_clock_plan(lead=current, started_at=at)
    if clock.due_at >= current.sla_due_at:
        return False
    Lead.objects.filter(pk=lead.pk).update(sla_due_at=clock.due_at, updated_at=timezone.now())
    lead.sla_due_at = current.sla_due_at = clock.due_at
    lead_sla_clock_schedule(lead=current, clock=clock)
    return True


@transaction.atomic
def missed_calls_scan(*, now: dt.datetime | None = None) -> int:
    """Find missed inbound calls logged since the last scan and schedule a "not
    returned" step for each, due after the policy's missed_call_return_minutes (on the
    lead's response clock: business minutes unless urgent). Returns steps created.

    Reads the activity log by primary key past a stored mark. Another sweep already
    scanning holds the mark's row lock; this one then skips the scan.
    """
    now = now or timezone.now()
    MissedCallScan.objects.bulk_create([MissedCallScan(pk=1)], ignore_conflicts=True)
    scan = MissedCallScan.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    if scan is None:
        return 0
    calls = list(
        Activity.objects.filter(
            id__gt=scan.last_activity_id,
            outcome=Outcome.MISSED_INBOUND_CALL,
            direction=Direction.INBOUND,
        )
        .select_related("lead")
        .order_by("id")
    )
    steps = []
    for call in calls:
        target = lead_response_target(lead=call.lead)
        due_at = response_clock_add(
            location_id=call.lead.location_id,
            target=target,
            start=call.occurred_at,
            minutes=target.missed_call_return_minutes,
        )
        steps.append(
            LeadEscalation(
                lead=call.lead, level=EscalationLevel.MISSED_CALL, activity=call, due_at=due_at
            )
        )
    created = LeadEscalation.objects.bulk_create(steps, ignore_conflicts=True) if steps else []
    settled_max_id = Activity.objects.filter(
        id__gt=scan.last_activity_id, created_at__lt=now - MISSED_CALL_SCAN_OVERLAP
    ).aggregate(last=Max("id"))["last"]
    if settled_max_id is not None:
        scan.last_activity_id = settled_max_id
    scan.scanned_at = now
    scan.save(update_fields=["last_activity_id", "scanned_at"])
    return len(created)


@dataclass
class SweepResult:
    fired: int = 0
    skipped: int = 0
    alerts: int = 0
    new_missed_call_steps: int = 0


def escalations_sweep(
    *, now: dt.datetime | None = None, batch_size: int = 200, max_batches: int = 50
) -> SweepResult:
    """Fire every escalation step that is due (beat runs this every few seconds).

    Reads only pending steps through their partial index on due_at, in batches of
    `batch_size`, each its own transaction. Safe to run twice at once or in a row.
    """
    result = SweepResult(new_missed_call_steps=missed_calls_scan(now=now))
    for _ in range(max_batches):
        fired, skipped, alerts = _escalations_fire_batch(
            now=now or timezone.now(), batch_size=batch_size
        )
        result.fired += fired
        result.skipped += skipped
        result.alerts += alerts
        if fired + skipped < batch_size:
            break
    return result


@transaction.atomic
def _escalations_fire_batch(*, now: dt.datetime, batch_size: int) -> tuple[int, int, int]:
    steps = list(
        LeadEscalation.objects.filter(done_at__isnull=True, due_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("lead__owner", "lead__team__team_lead", "activity")
        .order_by("due_at")[:batch_size]
    )
    if not steps:
        return 0, 0, 0
    returned_calls = _missed_calls_returned(
        steps=[s for s in steps if s.level == EscalationLevel.MISSED_CALL]
    )
    managers: list | None = None
    fallback_team: Team | bool | None = False  # False: not looked up yet
    specs: list[AlertSpec] = []
    fired_ids, skipped_ids = [], []

    for step in steps:
        lead = step.lead
        answered = lead.first_response_at is not None and step.level in SLA_LEVELS
        if lead.closed_at is not None or answered or step.pk in returned_calls:
            skipped_ids.append(step.pk)
            continue
        if step.level == EscalationLevel.OWNER_NOTICE:
            recipients = lead_owner_or_team_lead(lead=lead)
            level = AlertLevel.OWNER_NOTICE
        elif step.level == EscalationLevel.BREACH:
            if managers is None:
                managers = managers_to_alert()
            team_lead = lead.team.team_lead if lead.team_id else None
            recipients = ([team_lead] if team_lead and team_lead.is_active else []) + managers
            level = AlertLevel.BREACH
            webhooks.lead_sla_breached_emit(lead=lead, due_at=step.due_at)
        elif step.level == EscalationLevel.MISSED_CALL:
            recipients = lead_owner_or_team_lead(lead=lead)
            level = AlertLevel.MISSED_CALL
        else:
            if fallback_team is False:
                fallback_team = (
                    Team.objects.filter(is_fallback=True, is_active=True)
                    .select_related("team_lead")
                    .first()
                )
            recipients = _lead_reassign_to_fallback(lead=lead, fallback_team=fallback_team)
            if recipients is None:
                skipped_ids.append(step.pk)
                continue
            level = AlertLevel.REASSIGNED
        specs += [
            AlertSpec(
                lead_id=lead.pk, level=level, recipient_id=user.pk, activity_id=step.activity_id
            )
            for user in recipients
        ]
        fired_ids.append(step.pk)

    new_alert_ids = alerts_fire(alerts=specs, now=now)
    if fired_ids:
        LeadEscalation.objects.filter(pk__in=fired_ids).update(
            done_at=now, outcome=EscalationOutcome.FIRED
        )
    if skipped_ids:
        LeadEscalation.objects.filter(pk__in=skipped_ids).update(
            done_at=now, outcome=EscalationOutcome.SKIPPED
        )
    return len(fired_ids), len(skipped_ids), len(new_alert_ids)


def _missed_calls_returned(*, steps: list[LeadEscalation]) -> set[int]:
    """The ids of missed-call steps whose call has since been returned: a first response
    (apps.leads.first_response, what stops the response clock) after it, in one query."""
    if not steps:
        return set()
    last_attempt_by_lead = dict(
        Activity.objects.filter(
            first_response_filter(), lead_id__in={step.lead_id for step in steps}
        )
        .values("lead_id")
        .annotate(last=Max("occurred_at"))
        .values_list("lead_id", "last")
    )
    return {
        step.pk
        for step in steps
        if (last := last_attempt_by_lead.get(step.lead_id)) is not None
        and last >= step.activity.occurred_at
    }


def _lead_reassign_to_fallback(*, lead: Lead, fallback_team: Team | None) -> list | None:
    """Hand a breached lead to the fallback team (unowned, so its members can claim it)
    and return whom to tell: the fallback team's lead and the previous owner. None when
    there is nothing to do (no fallback team, or the lead already waits there)."""
    if fallback_team is None:
        logger.warning("lead #%s breached but no active fallback team exists", lead.pk)
        return None
    if lead.team_id == fallback_team.pk and lead.owner_id is None:
        return None
    previous_owner = lead.owner
    lead_assign(
        lead=lead,
        owner=None,
        team=fallback_team,
        actor=None,
        body="Reassigned to the fallback team: no first response in time after the "
        "response-time breach.",
    )
    recipients = []
    if fallback_team.team_lead and fallback_team.team_lead.is_active:
        recipients.append(fallback_team.team_lead)
    if previous_owner and previous_owner.is_active and previous_owner not in recipients:
        recipients.append(previous_owner)
    return recipients


@transaction.atomic
def response_policy_save(*, policy: ResponsePolicy) -> ResponsePolicy:
    """Create or update a response policy after full validation (bad values raise
    ValidationError keyed by field). Applies to leads whose clock starts afterwards;
    due times already set are kept."""
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def service_line_targets_update(
    *, service_line_id: int, urgent: int, soon: int, routine: int
) -> list[str]:
    """Set a service line's default first-response targets (minutes; each at least 1).
    Like a policy, they apply to clocks started from now on. Returns what changed, in
    words, against the row as stored (locked, so two managers' edits are told apart);
    raises ValidationError keyed by field for a target under a minute."""
    service_line = ServiceLine.objects.select_for_update().get(pk=service_line_id)
    new = {
        "urgent_response_minutes": urgent,
        "soon_response_minutes": soon,
        "routine_response_minutes": routine,
    }
    errors = {name: "A target is at least 1 minute." for name, value in new.items() if value < 1}
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in new.items() if getattr(service_line, name) != value]
    words = [
        f"{name.split('_')[0]} {getattr(service_line, name)} → {new[name]} min" for name in changed
    ]
    for name in changed:
        setattr(service_line, name, new[name])
    if changed:
        service_line.save(update_fields=changed)
    return words
