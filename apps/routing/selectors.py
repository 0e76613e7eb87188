"""Reads of routing for managers' pages: the rules, the dry run, and a lead's routing."""

import datetime as dt

from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import access_record
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.leads.selectors import lead_get_for_user
from apps.routing.decision import LeadFacts, RoutingDecision, routing_decide
from apps.routing.models import RoutingRule, RoutingWait


def routing_rule_list() -> list[RoutingRule]:
    """Every rule in routing order, numbered, each with the earlier rule that leaves it
    nothing to match (`shadowed_by`, or None), in a fixed number of queries."""
    rules = list(
        RoutingRule.objects.select_related("target_team", "fixed_owner")
        .prefetch_related("service_lines", "locations")
        .order_by("position", "id")
    )
    for number, rule in enumerate(rules, start=1):
        rule.number = number
        rule.shadowed_by = next(
            (earlier for earlier in rules[: number - 1] if rule_catches_all_of(earlier, rule)),
            None,
        )
    return rules


def _condition_sets(rule: RoutingRule) -> list[set]:
    """Each condition of a rule as a set of the values it accepts (empty: any)."""
    return [
        {line.pk for line in rule.service_lines.all()},
        {location.pk for location in rule.locations.all()},
        set(rule.lead_types),
        set(rule.channels),
        set(rule.urgencies),
        set(rule.languages),
        set(rule.referral_source_kinds),
    ]


def rule_catches_all_of(earlier: RoutingRule, later: RoutingRule) -> bool:
    """True when every lead `later` matches is taken first by `earlier` (enabled, and
    each of its conditions is "any" or accepts everything the later rule's does): the
    later rule can never match. Conditions as in decision.rule_mismatch."""
    if not earlier.is_enabled or not earlier.target_team.is_active:
        return False
    return all(
        not wide or (narrow and narrow <= wide)
        for wide, narrow in zip(_condition_sets(earlier), _condition_sets(later), strict=True)
    )


def routing_dry_run(*, facts: LeadFacts, now: dt.datetime | None = None) -> RoutingDecision:
    """Where a lead like this would go now, and why. Assigns and locks nothing."""
    return routing_decide(facts=facts, now=now or timezone.now(), lock=False)


def lead_routing_summary(*, user: User, lead_id: int) -> dict:
    """A lead the manager may see, its waiting state and its recent routing decisions
    (their reasons are free text about the patient's lead): the read is in the access log.

    Raises Lead.DoesNotExist (views answer 404) when the user may not see it.
    """
    lead: Lead = lead_get_for_user(user=user, lead_id=lead_id)
    access_record(
        user=user, what="lead routing page", lead_ids=[lead.pk], person_ids=[lead.person_id]
    )
    wait = RoutingWait.objects.select_related("team").filter(lead=lead).first()
    decisions = list(
        Activity.objects.filter(lead=lead, kind=ActivityKind.ASSIGNMENT)
        .select_related("author")
        .order_by("-occurred_at", "-id")[:10]
    )
    return {"lead": lead, "wait": wait, "decisions": decisions}
