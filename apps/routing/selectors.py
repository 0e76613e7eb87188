"""Reads of routing for managers' pages: the rules, the dry run, and a lead's routing."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.leads.selectors import lead_get_for_user
from apps.routing.decision import LeadFacts, RoutingDecision, routing_decide
from apps.routing.models import RoutingRule, RoutingWait


def routing_rule_list() -> QuerySet[RoutingRule]:
    """Every rule in routing order, with what the list shows in a fixed number of queries."""
    return RoutingRule.objects.select_related("target_team", "fixed_owner").prefetch_related(
        "service_lines", "locations"
    )


def routing_dry_run(*, facts: LeadFacts, now: dt.datetime | None = None) -> RoutingDecision:
    """Where a lead like this would go now, and why. Assigns and locks nothing."""
    return routing_decide(facts=facts, now=now or timezone.now(), lock=False)


def lead_routing_summary(*, user: User, lead_id: int) -> dict:
    """A lead the manager may see, its waiting state and its recent routing decisions.

    Raises Lead.DoesNotExist (views answer 404) when the user may not see it.
    """
    lead: Lead = lead_get_for_user(user=user, lead_id=lead_id)
    wait = RoutingWait.objects.select_related("team").filter(lead=lead).first()
    decisions = list(
        Activity.objects.filter(lead=lead, kind=ActivityKind.ASSIGNMENT)
        .select_related("author")
        .order_by("-occurred_at", "-id")[:10]
    )
    return {"lead": lead, "wait": wait, "decisions": decisions}
