"""The routing decision: which rule, which team, which member, and why. Reads only.

Real routing (`services.lead_route`), the sweep's retries and the managers' dry run all
call `routing_decide`, so what the dry run explains is exactly what routing would do.
Writing the outcome (owner, timeline entry, round-robin cursor) is the services' job.

Read top to bottom: `facts` (what a lead offers), `outcome` (the answer and its
explanation), `rules` (which rule matches), `members` (who in the team), and here the
decision that ties them together.
"""

import datetime as dt

from apps.routing.choices import Strategy
from apps.routing.decision.facts import LeadFacts
from apps.routing.decision.members import MEMBER_FIELDS, team_pick
from apps.routing.decision.outcome import (
    MemberVerdict,
    RoutingDecision,
    RuleCheck,
    TeamPick,
)
from apps.routing.decision.rules import (
    fallback_team,
    first_matching_rule,
    routing_reference_clear,
    rule_mismatch,
)
from apps.routing.models import DEFAULT_URGENT_WEIGHT

__all__ = [
    "MEMBER_FIELDS",
    "LeadFacts",
    "MemberVerdict",
    "RoutingDecision",
    "RuleCheck",
    "TeamPick",
    "routing_decide",
    "routing_reference_clear",
    "rule_mismatch",
]

# The fallback team shares out leads in turn: no rule has told it otherwise.
FALLBACK_STRATEGY = Strategy.ROUND_ROBIN


def routing_decide(
    *,
    facts: LeadFacts,
    now: dt.datetime,
    waiting_since: dt.datetime | None = None,
    exclude_lead_id: int | None = None,
    lock: bool = False,
) -> RoutingDecision:
    """Decide where a lead goes. `lock=True` (inside a transaction) takes the row lock of
    each team's round-robin cursor before reading loads, so concurrent decisions in one
    team are serialized; the dry run reads without locking.

    `waiting_since` is when the lead started waiting for a skilled member (skills relax
    from then on); `exclude_lead_id` keeps a re-routed lead out of its owner's load.
    """
    decision = RoutingDecision(facts=facts, now=now)
    rule = first_matching_rule(facts=facts, checked=decision.rules_checked)
    decision.rule = rule

    if rule is not None:
        if rule.narrows_by_skill and rule.relax_after_minutes is not None:
            decision.relax_at = (waiting_since or now) + dt.timedelta(
                minutes=rule.relax_after_minutes
            )
        decision.primary = team_pick(
            team=rule.target_team,
            strategy=rule.strategy,
            fixed_owner_id=rule.fixed_owner_id,
            rule=rule,
            facts=facts,
            urgent_weight=rule.urgent_weight,
            relax_at=decision.relax_at,
            now=now,
            exclude_lead_id=exclude_lead_id,
            lock=lock,
        )
        if not decision.primary.nobody_available:
            return decision
        fallback = fallback_team()
        if fallback is None:
            decision.fallback_missing = True
            return decision
        if fallback.pk == rule.target_team_id:
            return decision  # the fallback team was the target: the lead waits there
    else:
        fallback = fallback_team()

    if fallback is None:
        decision.fallback_missing = True
        return decision
    decision.fallback = team_pick(
        team=fallback,
        strategy=FALLBACK_STRATEGY,
        fixed_owner_id=None,
        rule=None,
        facts=facts,
        urgent_weight=DEFAULT_URGENT_WEIGHT,
        relax_at=None,
        now=now,
        exclude_lead_id=exclude_lead_id,
        lock=lock,
    )
    return decision
