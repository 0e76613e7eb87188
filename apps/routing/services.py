"""Writes of routing: give leads a team and an owner, queue routing safely when intake
commits, sweep up what was missed, re-route by a manager's hand, and the rules.
Assignment by hand (claims, reassignments) is apps.routing.assignment's.

Every routing run claims its lead in the database (`SELECT ... FOR UPDATE SKIP LOCKED`
while `routed_at` is empty), so a task delivered twice, or the sweep and the task at
once, assign a lead once. The team's round-robin cursor row is locked before loads are
read, which serializes the decisions of one team (see decision.routing_decide).
"""

import datetime as dt
import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.core.queueing import task_queue
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.leads.services import owner_in_team_validate
from apps.routing.choices import RoutingTrigger, Strategy
from apps.routing.decision import (
    LeadFacts,
    RoutingDecision,
    routing_decide,
)
from apps.routing.models import RoutingRule, RoutingWait, TeamRoutingCursor
from apps.sla.services import (
    SLA_CLOCK_FIELDS,
    lead_sla_clock_schedule,
    sla_clock_plan,
)
from apps.webhooks import services as webhooks

logger = logging.getLogger(__name__)

SWEEP_BATCH_SIZE = 500


def lead_routing_queue(*, lead_id: int) -> None:
    """Have a worker route the lead once the current transaction commits.

    Never raises, before or after commit: with the broker down or hanging the publish
    gives up within about a second (apps.core.queueing), is logged, and the lead stays
    unrouted for the next sweep. Intake must never answer 500 for a lead it has saved,
    or the vendor would retry into a duplicate.
    """
    transaction.on_commit(partial(_route_lead_publish, lead_id))


def _route_lead_publish(lead_id: int) -> None:
    from apps.routing.tasks import route_lead  # tasks import this module

    if not task_queue(route_lead, lead_id):
        logger.warning("lead %s is left to the routing sweep", lead_id)


# What routing reads of a lead and its relations: a few columns of five tables rather
# than all of them (building the full SELECT cost more than running it), and what the
# response clock reads, so the lead is read once.
LEAD_ROUTING_FIELDS = tuple(
    dict.fromkeys(
        (
            *SLA_CLOCK_FIELDS,
            "created_at",
            "routed_at",
            "owner_id",
            "team_id",
            "channel",
            "person",
            "referral_source",
            "service_line__name",
            "location__name",
            "person__preferred_language",
            "referral_source__kind",
        )
    )
)


def _lead_for_routing(*, lead_id: int, unrouted_only: bool) -> Lead | None:
    """Claim the lead row, or None when another run holds it (or it is already routed)."""
    leads = (
        Lead.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("service_line", "location", "person", "referral_source")
        .only(*LEAD_ROUTING_FIELDS)
    )
    if unrouted_only:
        leads = leads.filter(routed_at__isnull=True)
    return leads.filter(pk=lead_id).first()


@transaction.atomic
def lead_route(
    *, lead_id: int, trigger: str = RoutingTrigger.INTAKE, now: dt.datetime | None = None
) -> RoutingDecision | None:
    """Route a lead nobody has routed yet: team and owner by the rules, the decision on
    the timeline, and the response clock started (apps.sla, which alerts about a lead
    flagged by safety screening). Returns None when the lead is routed already, another
    run holds it (so running twice assigns once), or staff already gave it an owner.
    """
    now = now or timezone.now()
    lead = _lead_for_routing(lead_id=lead_id, unrouted_only=True)
    if lead is None:
        return None
    if lead.owner_id is not None:
        # Staff gave it to someone before routing ran (a lead they entered themselves):
        # routing never takes it away from them, it only starts the clock.
        clock = sla_clock_plan(lead=lead, started_at=lead.created_at)
        lead.routed_at, lead.sla_due_at = now, clock.due_at
        Lead.objects.filter(pk=lead.pk).update(
            routed_at=now, sla_due_at=clock.due_at, updated_at=now
        )
        lead_sla_clock_schedule(lead=lead, clock=clock)
        return None
    decision = routing_decide(
        facts=LeadFacts.from_lead(lead), now=now, waiting_since=now, lock=True
    )
    if decision.team is None:
        logger.warning("lead %s cannot be routed: no rule matched and no fallback team", lead_id)
        return decision
    _decision_apply(lead=lead, decision=decision, actor=None, trigger=trigger, now=now)
    return decision


@transaction.atomic
def lead_routing_retry(*, lead_id: int, now: dt.datetime | None = None) -> RoutingDecision | None:
    """Try again to give an owner to a lead waiting in a team's queue (for a skilled
    member, or for anyone to come free). The timeline hears only of a change: an owner
    found, or the lead moved to the fallback team. Returns None when there was nothing
    to retry (claimed by hand, closed, moved elsewhere, or held by another run).
    """
    now = now or timezone.now()
    lead = _lead_for_routing(lead_id=lead_id, unrouted_only=False)
    if lead is None:
        return None
    wait = RoutingWait.objects.select_for_update().filter(lead=lead).first()
    if wait is None:
        return None
    if lead.owner_id is not None or lead.closed_at is not None or lead.team_id != wait.team_id:
        # Someone claimed, closed or moved it (by hand or by escalation): don't fight them.
        wait.delete()
        return None
    decision = routing_decide(
        facts=LeadFacts.from_lead(lead), now=now, waiting_since=wait.waiting_since, lock=True
    )
    unchanged = (
        decision.owner is None
        and decision.team is not None
        and decision.team.pk == lead.team_id
        and decision.wait_reason == wait.reason
    )
    if decision.team is None or unchanged:
        RoutingWait.objects.filter(pk=wait.pk).update(
            last_tried_at=now, attempts=F("attempts") + 1, relax_at=decision.relax_at
        )
        return decision
    _decision_apply(lead=lead, decision=decision, actor=None, trigger=RoutingTrigger.RETRY, now=now)
    return decision


def lead_waits_record(*, waits: list[RoutingWait]) -> None:
    """Record leads left in a team's queue with no owner because routing found nobody:
    the sweep retries exactly these (lead_routing_retry), so every such lead, however
    it got there (routing, seeded demo data), is recorded here.

    One INSERT ... ON CONFLICT DO UPDATE: a lead already waiting keeps its
    waiting_since (skills relax from then) and its attempts.
    """
    RoutingWait.objects.bulk_create(
        waits,
        update_conflicts=True,
        unique_fields=["lead"],
        update_fields=["reason", "rule", "team", "relax_at", "last_tried_at"],
    )


@transaction.atomic
def lead_reroute(
    *, lead: Lead, actor: User, reason: str, now: dt.datetime | None = None
) -> RoutingDecision:
    """Run routing again for a lead, by a manager's hand, with the reason on the timeline.

    Rules may have changed or the owner may be away; the lead's own weight is left out
    of its current owner's load. The response clock is not restarted.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lead is routed again."})
    now = now or timezone.now()
    locked = _lead_for_routing(lead_id=lead.pk, unrouted_only=False)
    if locked is None:
        raise ValidationError("The lead is being routed right now; try again in a moment.")
    decision = routing_decide(
        facts=LeadFacts.from_lead(locked),
        now=now,
        waiting_since=now,
        exclude_lead_id=locked.pk,
        lock=True,
    )
    if decision.team is None:
        raise ValidationError("No rule matches this lead and no fallback team is set up.")
    _decision_apply(
        lead=locked,
        decision=decision,
        actor=actor,
        trigger=RoutingTrigger.REROUTE,
        now=now,
        note=reason.strip(),
    )
    lead.owner, lead.team, lead.routed_at = locked.owner, locked.team, locked.routed_at
    return decision


def _decision_apply(
    *,
    lead: Lead,
    decision: RoutingDecision,
    actor: User | None,
    trigger: str,
    now: dt.datetime,
    note: str = "",
) -> Activity:
    """Write a decision: owner and team, cursor, waiting row, timeline entry, and on a
    lead's first routing the response clock. The lead row is locked by the caller."""
    first_routing = lead.routed_at is None
    previous_owner_id, previous_team_id = lead.owner_id, lead.team_id
    update = {"owner": decision.owner, "team": decision.team, "updated_at": now}
    clock = None
    if first_routing:
        # The clock runs from the inquiry, not from when a worker got to it. Its due
        # time goes into the same UPDATE as the owner: one write of the lead row.
        clock = sla_clock_plan(lead=lead, started_at=lead.created_at)
        update["routed_at"] = now
        update["sla_due_at"] = clock.due_at
    Lead.objects.filter(pk=lead.pk).update(**update)
    for name, value in update.items():
        setattr(lead, name, value)
    webhooks.lead_assigned_emit(
        lead=lead, previous_owner_id=previous_owner_id, previous_team_id=previous_team_id
    )

    if decision.owner is not None and decision.strategy != Strategy.FIXED_OWNER:
        TeamRoutingCursor.objects.filter(team=decision.team).update(
            last_assigned=decision.owner, last_assigned_at=now
        )
    if decision.wait_reason:
        lead_waits_record(
            waits=[
                RoutingWait(
                    lead=lead,
                    reason=decision.wait_reason,
                    rule=decision.rule,
                    team=decision.team,
                    relax_at=decision.relax_at,
                    last_tried_at=now,
                    waiting_since=now,
                )
            ]
        )
    elif not first_routing:  # only a lead routed before can have been waiting
        RoutingWait.objects.filter(lead=lead).delete()

    body = decision.explanation()
    if note:
        body = f"Routed again by {actor.display_name if actor else 'the system'}: {note}. {body}"
    activity = Activity.objects.create(
        lead=lead,
        kind=ActivityKind.ASSIGNMENT,
        author=actor,
        occurred_at=max(now, lead.created_at),
        body=body,
        details={
            **decision.details(),
            "trigger": trigger,
            "reason": note,
            "from_owner_id": previous_owner_id,
            "to_owner_id": decision.owner.pk if decision.owner else None,
            "from_team_id": previous_team_id,
            "to_team_id": decision.team.pk if decision.team else None,
        },
    )
    if clock is not None:
        lead_sla_clock_schedule(lead=lead, clock=clock)
    return activity


def routing_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Route every lead still unrouted (its task was never published, or was lost) and
    retry the leads waiting in a team's queue.

    Any unrouted lead, however young: after a broker outage the leads that missed their
    publish are routed by the first sweep once beat runs again, within one sweep
    interval. A lead whose task is on its way is routed by whichever claims it first.
    Each lead is routed in its own transaction and claimed with SKIP LOCKED, so sweeps
    that overlap each other or a worker's task never route a lead twice. `now` is for
    tests; by default each lead is routed at its own moment.
    """
    unrouted_ids = list(
        Lead.objects.filter(routed_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    routed = sum(
        1
        for lead_id in unrouted_ids
        if (decision := lead_route(lead_id=lead_id, trigger=RoutingTrigger.SWEEP, now=now))
        and decision.team is not None
    )
    waiting_ids = list(
        RoutingWait.objects.order_by("last_tried_at").values_list("lead_id", flat=True)[
            :SWEEP_BATCH_SIZE
        ]
    )
    owners_found = sum(
        1
        for lead_id in waiting_ids
        if (decision := lead_routing_retry(lead_id=lead_id, now=now)) and decision.owner is not None
    )
    return {"routed": routed, "retried": len(waiting_ids), "owners_found": owners_found}


@transaction.atomic
def user_shift_set(*, user: User, on_shift: bool) -> User:
    """Mark a member of staff on or off shift. Routing picks only members on shift; the
    next sweep offers waiting leads to someone who has just come on."""
    User.objects.filter(pk=user.pk).update(is_on_shift=on_shift)
    user.is_on_shift = on_shift
    return user


# --- Rules -------------------------------------------------------------------------

RULE_M2M_FIELDS = ("service_lines", "locations")


@transaction.atomic
def routing_rule_create(*, data: dict) -> RoutingRule:
    """Add a rule at the end of the order (validated data of RoutingRuleForm)."""
    fields = {k: v for k, v in data.items() if k not in RULE_M2M_FIELDS}
    # Lock the rules (FOR UPDATE refuses aggregates) so two new rules never share a place.
    positions = list(RoutingRule.objects.select_for_update().values_list("position", flat=True))
    rule = RoutingRule(**fields, position=max(positions, default=0) + 1)
    _rule_validate(rule=rule)
    rule.save()
    for name in RULE_M2M_FIELDS:
        if name in data:
            getattr(rule, name).set(data[name])
    return rule


@transaction.atomic
def routing_rule_update(*, rule: RoutingRule, data: dict) -> RoutingRule:
    """Change a rule's conditions or outcome; its place in the order stays."""
    for name, value in data.items():
        if name not in RULE_M2M_FIELDS:
            setattr(rule, name, value)
    _rule_validate(rule=rule)
    rule.save()
    for name in RULE_M2M_FIELDS:
        if name in data:
            getattr(rule, name).set(data[name])
    return rule


def _rule_validate(*, rule: RoutingRule) -> None:
    rule.full_clean()
    if rule.strategy == Strategy.FIXED_OWNER:
        try:
            owner_in_team_validate(owner=rule.fixed_owner, team=rule.target_team)
        except ValidationError as error:
            raise ValidationError({"fixed_owner": error.messages}) from error


@transaction.atomic
def routing_rule_move(*, rule: RoutingRule, direction: str = "", place: int | None = None) -> None:
    """Move a rule one place up or down, or to a place in the order (1 = first);
    positions are renumbered 1..n on the way, so a rule's number is its position."""
    if place is None and direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a rule up or down."})
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    if place is not None:
        if not 1 <= place <= len(rules):
            raise ValidationError({"place": f"Choose a place from 1 to {len(rules)}."})
        rules.insert(place - 1, rules.pop(index))
    else:
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
    for position, each in enumerate(rules, start=1):
        if each.position != position:
            RoutingRule.objects.filter(pk=each.pk).update(position=position)
        if each.pk == rule.pk:
            rule.position = position


@transaction.atomic
def routing_rule_set_enabled(*, rule: RoutingRule, is_enabled: bool) -> RoutingRule:
    """Switch a rule on or off; a disabled rule is skipped when routing."""
    rule.is_enabled = is_enabled
    rule.save(update_fields=["is_enabled", "updated_at"])
    return rule
