"""Which rule matches a lead, and why each earlier one did not.

The rules and the fallback team are read for every new lead and change a few times a
month, so each process keeps a copy (apps.core.reference_cache): an edit shows at once
in the process that made it and within seconds in the others.
"""

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed

from apps.core.languages import language_name
from apps.core.reference_cache import ReferenceCache
from apps.facilities.models import Location
from apps.leads.choices import Channel, LeadType, Urgency
from apps.referral_sources.models import ReferralSourceKind
from apps.routing.decision.facts import LeadFacts
from apps.routing.decision.outcome import RuleCheck
from apps.routing.models import RoutingRule
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team


@dataclass(frozen=True)
class RoutingReference:
    """What every routing decision reads besides the lead and the members: the rules in
    order (each with its target team and its service lines' and locations' ids and
    names) and the fallback team. Shared by the decisions of a process: read only."""

    rules: tuple[RoutingRule, ...]
    fallback_team: Team | None


def _routing_reference_load() -> RoutingReference:
    rules = (
        RoutingRule.objects.select_related("target_team")
        .annotate(
            **{
                f"{alias}_{column}s": ArrayAgg(
                    f"{relation}__{column}",
                    distinct=True,
                    filter=Q(**{f"{relation}__isnull": False}),
                )
                for alias, relation in (
                    ("service_line", "service_lines"),
                    ("location", "locations"),
                )
                for column in ("id", "name")
            }
        )
        # Aggregating queries ignore Meta.ordering: the order is the rule.
        .order_by("position", "id")
    )
    rules = list(rules)
    for number, rule in enumerate(rules, start=1):
        rule.number = number
    return RoutingReference(
        rules=tuple(rules),
        fallback_team=Team.objects.filter(is_fallback=True, is_active=True).first(),
    )


# Rule names, conditions and targets, team names and flags, and the service line and
# location names that rule_mismatch quotes all come from these tables. Rules' service
# lines and locations are set after the rule is saved, in the same transaction, so the
# clear after commit that the save triggers covers them.
_routing_reference = ReferenceCache(
    _routing_reference_load, watch=(RoutingRule, Team, ServiceLine, Location)
)


def routing_reference_clear() -> None:
    """Drop this process's copy of the rules (writers that bypass model signals)."""
    _routing_reference.clear()


def _rule_relations_changed(*, using: str, **kwargs) -> None:
    # A rule's service lines or locations set without saving the rule itself.
    routing_reference_clear()
    transaction.on_commit(routing_reference_clear, using=using)


for _relation in (RoutingRule.service_lines, RoutingRule.locations):
    m2m_changed.connect(_rule_relations_changed, sender=_relation.through, weak=False)


def fallback_team() -> Team | None:
    return _routing_reference.get().fallback_team


def first_matching_rule(*, facts: LeadFacts, checked: list[RuleCheck]) -> RoutingRule | None:
    for rule in _routing_reference.get().rules:
        if not rule.is_enabled:
            outcome = "disabled"
        elif not rule.target_team.is_active:
            outcome = f"its team {rule.target_team.name} is not active"
        else:
            outcome = rule_mismatch(rule=rule, facts=facts) or "matched"
        checked.append(RuleCheck(rule.pk, rule.name, rule.number, outcome))
        if outcome == "matched":
            return rule
    return None


def _labels(choices, values) -> str:
    names = [str(choices(value).label) if value in choices.values else value for value in values]
    return " or ".join(names)


def _related(rule: RoutingRule, alias: str, relation: str) -> tuple[set[int], list[str]]:
    if hasattr(rule, f"{alias}_ids"):
        ids, names = getattr(rule, f"{alias}_ids") or [], getattr(rule, f"{alias}_names") or []
        return set(ids), sorted(names)
    related = list(getattr(rule, relation).all())
    return {each.pk for each in related}, sorted(each.name for each in related)


def rule_mismatch(*, rule: RoutingRule, facts: LeadFacts) -> str:
    """Why the rule does not match the lead, in plain words; empty when it matches.

    Reads the rule's service lines and locations from the annotations that
    `first_matching_rule` adds, or from the relations when they are missing.
    """
    line_ids, line_names = _related(rule, "service_line", "service_lines")
    if line_ids and facts.service_line_id not in line_ids:
        wanted = " or ".join(line_names)
        return f"service line is {facts.service_line_name or 'not given'}, not {wanted}"
    location_ids, location_names = _related(rule, "location", "locations")
    if location_ids and facts.location_id not in location_ids:
        wanted = " or ".join(location_names)
        return f"location is {facts.location_name or 'not given'}, not {wanted}"
    if rule.lead_types and facts.lead_type not in rule.lead_types:
        return (
            f"lead type is {_labels(LeadType, [facts.lead_type])}, "
            f"not {_labels(LeadType, rule.lead_types)}"
        )
    if rule.channels and facts.channel not in rule.channels:
        return (
            f"channel is {_labels(Channel, [facts.channel])}, not {_labels(Channel, rule.channels)}"
        )
    if rule.urgencies and facts.urgency not in rule.urgencies:
        return (
            f"urgency is {_labels(Urgency, [facts.urgency])}, "
            f"not {_labels(Urgency, rule.urgencies)}"
        )
    if rule.languages and facts.language not in rule.languages:
        wanted = " or ".join(language_name(code) for code in rule.languages)
        return f"language is {language_name(facts.language)}, not {wanted}"
    if rule.referral_source_kinds and facts.referral_source_kind not in rule.referral_source_kinds:
        current = (
            _labels(ReferralSourceKind, [facts.referral_source_kind])
            if facts.referral_source_kind
            else "none"
        )
        return (
            f"referral source is {current}, "
            f"not {_labels(ReferralSourceKind, rule.referral_source_kinds)}"
        )
    return ""
