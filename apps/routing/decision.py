"""The routing decision: which rule, which team, which member, and why. Reads only.

Real routing (`services.lead_route`) and the managers' dry run both call
`routing_decide`, so what the dry run explains is exactly what routing would do. Writing
the outcome (owner, timeline entry, round-robin cursor) is the services' job.

The rules and the fallback team are read for every new lead and change a few times a
month, so each process keeps a copy (apps.core.reference_cache): an edit shows at once
in the process that made it and within seconds in the others. Members, their shifts,
skills and loads are always read fresh.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed
from django.utils import timezone

from apps.accounts.models import User
from apps.core.languages import language_name
from apps.core.reference_cache import ReferenceCache
from apps.facilities.models import Location
from apps.leads.choices import Channel, LeadType, Urgency
from apps.leads.models import Lead
from apps.referral_sources.models import ReferralSourceKind
from apps.routing.choices import Strategy, WaitReason
from apps.routing.models import DEFAULT_URGENT_WEIGHT, MemberSkills, RoutingRule, TeamRoutingCursor
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team

# What routing reads of a member (display_name included).
MEMBER_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "is_active",
    "on_leave",
    "is_on_shift",
    "max_open_leads",
    "languages",
)
# The fallback team shares out leads in turn: no rule has told it otherwise.
FALLBACK_STRATEGY = Strategy.ROUND_ROBIN


@dataclass(frozen=True)
class LeadFacts:
    """What routing looks at in a lead: a real one, or a sample typed into the dry run."""

    service_line_id: int | None = None
    service_line_name: str = ""
    location_id: int | None = None
    location_name: str = ""
    lead_type: str = ""
    channel: str = ""
    urgency: str = Urgency.ROUTINE
    language: str = ""
    referral_source_kind: str = ""

    @classmethod
    def from_lead(cls, lead: Lead) -> "LeadFacts":
        """Needs lead.service_line, location, person and referral_source loaded."""
        return cls(
            service_line_id=lead.service_line_id,
            service_line_name=lead.service_line.name,
            location_id=lead.location_id,
            location_name=lead.location.name if lead.location_id else "",
            lead_type=lead.lead_type,
            channel=lead.channel,
            urgency=lead.urgency,
            language=lead.person.preferred_language,
            referral_source_kind=lead.referral_source.kind if lead.referral_source_id else "",
        )


@dataclass
class RuleCheck:
    """One rule looked at on the way to the first match, and what it said."""

    rule_id: int
    name: str
    number: int  # its place in the order, as the rules page shows it
    outcome: str  # "matched", "disabled", or why it did not match


@dataclass
class MemberVerdict:
    """One member as routing saw them for this lead."""

    user: User
    load: int
    capacity: int
    unavailable: str = ""  # why they can take no lead now: off shift, on leave, ...
    skill_gap: str = ""  # the first skill they lack for this lead
    passed_over_because: str = ""

    @property
    def name(self) -> str:
        return self.user.display_name


@dataclass
class TeamPick:
    """Who a team's strategy picked, or why nobody."""

    team: Team
    strategy: str
    verdicts: list[MemberVerdict] = field(default_factory=list)
    owner: User | None = None
    waiting_for_skill: bool = False
    skill_wanted: str = ""
    relaxed: bool = False

    @property
    def nobody_available(self) -> bool:
        return self.owner is None and not self.waiting_for_skill

    @property
    def passed_over(self) -> list[MemberVerdict]:
        return [v for v in self.verdicts if v.passed_over_because]


@dataclass
class RoutingDecision:
    """The whole answer to "where does this lead go, and why"."""

    facts: LeadFacts
    now: dt.datetime
    rules_checked: list[RuleCheck] = field(default_factory=list)
    rule: RoutingRule | None = None
    primary: TeamPick | None = None
    fallback: TeamPick | None = None
    fallback_missing: bool = False
    relax_at: dt.datetime | None = None

    @property
    def final_pick(self) -> TeamPick | None:
        return self.fallback or self.primary

    @property
    def team(self) -> Team | None:
        pick = self.final_pick
        return pick.team if pick else None

    @property
    def owner(self) -> User | None:
        pick = self.final_pick
        return pick.owner if pick else None

    @property
    def strategy(self) -> str:
        pick = self.final_pick
        return pick.strategy if pick else ""

    @property
    def wait_reason(self) -> str:
        """Empty when an owner was chosen or there is nowhere to wait."""
        pick = self.final_pick
        if pick is None or pick.owner is not None:
            return ""
        return WaitReason.SKILL if pick.waiting_for_skill else WaitReason.NOBODY_AVAILABLE

    def explanation(self) -> str:
        """The decision in plain words, as written on the lead's timeline."""
        parts: list[str] = []
        if self.rule is not None:
            parts.append(f"Rule {self.rule.number} “{self.rule.name}” matched.")
        elif self.rules_checked:
            parts.append("No routing rule matched.")
        else:
            parts.append("There are no routing rules.")
        if self.primary is not None:
            parts.append(self._describe(self.primary))
        if self.fallback is not None:
            parts.append(f"The lead goes to the fallback team {self.fallback.team.name}.")
            parts.append(self._describe(self.fallback))
        if self.fallback_missing:
            if self.primary is not None:
                parts.append(
                    f"No fallback team is set up, so the lead waits in "
                    f"{self.primary.team.name}'s queue."
                )
            else:
                parts.append("No fallback team is set up: the lead cannot be routed until one is.")
        return " ".join(part for part in parts if part)

    def _describe(self, pick: TeamPick) -> str:
        strategy = Strategy(pick.strategy).label.lower()
        sentences = [f"Strategy: {strategy} in {pick.team.name}."]
        if pick.relaxed and self.rule is not None:
            sentences.append(
                f"No {pick.skill_wanted} came free within {self.rule.relax_after_minutes} "
                "minutes, so anyone available could take it."
            )
        if pick.owner is not None:
            sentences.append(f"Chosen: {pick.owner.display_name}.")
        elif pick.waiting_for_skill:
            if self.relax_at is not None:
                until = timezone.localtime(self.relax_at)
                sentences.append(
                    f"No {pick.skill_wanted} is available, so the lead waits in "
                    f"{pick.team.name}'s queue until {until:%H:%M}, then goes to anyone "
                    "available."
                )
            else:
                sentences.append(
                    f"No {pick.skill_wanted} is available, so the lead waits in "
                    f"{pick.team.name}'s queue until one is."
                )
        elif not pick.verdicts:
            sentences.append(f"{pick.team.name} has no members.")
        else:
            sentences.append(f"Nobody in {pick.team.name} is available.")
        if pick.passed_over:
            passed = "; ".join(f"{v.name} ({v.passed_over_because})" for v in pick.passed_over)
            sentences.append(f"Passed over: {passed}.")
        return " ".join(sentences)

    def details(self) -> dict:
        """The same decision as data, for the timeline entry's details (ids, staff names)."""
        pick = self.final_pick
        relax_at = self.relax_at if pick and pick.waiting_for_skill else None
        return {
            "rule_id": self.rule.pk if self.rule else None,
            "rule_name": self.rule.name if self.rule else "",
            "strategy": self.strategy,
            "team_id": self.team.pk if self.team else None,
            "chosen": (
                {"id": self.owner.pk, "name": self.owner.display_name} if self.owner else None
            ),
            "passed_over": [
                {
                    "id": v.user.pk,
                    "name": v.name,
                    "team_id": p.team.pk,
                    "reason": v.passed_over_because,
                }
                for p in (self.primary, self.fallback)
                if p is not None
                for v in p.passed_over
            ],
            "fallback": self.fallback is not None,
            "waiting": self.wait_reason,
            "relax_at": relax_at.isoformat() if relax_at else None,
        }


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
    rule = _first_matching_rule(facts=facts, checked=decision.rules_checked)
    decision.rule = rule

    if rule is not None:
        if rule.narrows_by_skill and rule.relax_after_minutes is not None:
            decision.relax_at = (waiting_since or now) + dt.timedelta(
                minutes=rule.relax_after_minutes
            )
        decision.primary = _team_pick(
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
        fallback_team = _fallback_team()
        if fallback_team is None:
            decision.fallback_missing = True
            return decision
        if fallback_team.pk == rule.target_team_id:
            return decision  # the fallback team was the target: the lead waits there
    else:
        fallback_team = _fallback_team()

    if fallback_team is None:
        decision.fallback_missing = True
        return decision
    decision.fallback = _team_pick(
        team=fallback_team,
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


def _fallback_team() -> Team | None:
    return _routing_reference.get().fallback_team


def _first_matching_rule(*, facts: LeadFacts, checked: list[RuleCheck]) -> RoutingRule | None:
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
    `_first_matching_rule` adds, or from the relations when they are missing.
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


def _team_pick(
    *,
    team: Team,
    strategy: str,
    fixed_owner_id: int | None,
    rule: RoutingRule | None,
    facts: LeadFacts,
    urgent_weight: int,
    relax_at: dt.datetime | None,
    now: dt.datetime,
    exclude_lead_id: int | None,
    lock: bool,
) -> TeamPick:
    pick = TeamPick(team=team, strategy=strategy)
    # The lock comes first: loads and the cursor are read only once this team's other
    # routing decisions have committed.
    last_assigned_id = _cursor_last_assigned_id(team=team, lock=lock)
    if strategy == Strategy.FIXED_OWNER:
        candidates = User.objects.filter(pk=fixed_owner_id)
    else:
        candidates = User.objects.filter(team_memberships__team=team)
    members = list(
        candidates.only(*MEMBER_FIELDS)
        .annotate(
            open_load=_open_load(urgent_weight=urgent_weight, exclude_lead_id=exclude_lead_id)
        )
        .order_by("id")
    )
    if not members:
        return pick
    lead_weight = urgent_weight if facts.urgency == Urgency.URGENT else 1
    skills = _member_skills(rule=rule, user_ids=[m.pk for m in members])
    for member in members:
        verdict = MemberVerdict(user=member, load=member.open_load, capacity=member.max_open_leads)
        verdict.unavailable = _unavailable_because(verdict=verdict, lead_weight=lead_weight)
        if rule is not None and strategy != Strategy.FIXED_OWNER:
            verdict.skill_gap = _skill_gap(rule=rule, member=member, skills=skills, facts=facts)
        pick.verdicts.append(verdict)

    available = [v for v in pick.verdicts if not v.unavailable]
    for verdict in pick.verdicts:
        verdict.passed_over_because = verdict.unavailable
    if not available:
        return pick

    pool = available
    if rule is not None and rule.narrows_by_skill and strategy != Strategy.FIXED_OWNER:
        pick.skill_wanted = _skill_wanted(rule=rule, facts=facts)
        skilled = [v for v in available if not v.skill_gap]
        if skilled:
            pool = skilled
            for verdict in available:
                if verdict.skill_gap:
                    verdict.passed_over_because = verdict.skill_gap
        elif relax_at is None or now < relax_at:
            pick.waiting_for_skill = True
            for verdict in available:
                verdict.passed_over_because = verdict.skill_gap
            return pick
        else:
            pick.relaxed = True

    in_turn = sorted(
        pool,
        key=lambda v: (last_assigned_id is not None and v.user.pk <= last_assigned_id, v.user.pk),
    )
    # Least load: ties go to whoever is next in turn.
    chosen = min(in_turn, key=lambda v: v.load) if strategy == Strategy.LEAST_LOAD else in_turn[0]
    pick.owner = chosen.user
    for verdict in pool:
        if verdict is chosen:
            continue
        if strategy == Strategy.LEAST_LOAD and verdict.load > chosen.load:
            verdict.passed_over_because = f"more open leads ({verdict.load} vs {chosen.load})"
        else:
            verdict.passed_over_because = "not next in turn"
    return pick


def _cursor_last_assigned_id(*, team: Team, lock: bool) -> int | None:
    if not lock:
        return (
            TeamRoutingCursor.objects.filter(team=team)
            .values_list("last_assigned_id", flat=True)
            .first()
        )
    locked = TeamRoutingCursor.objects.select_for_update().filter(team=team)
    rows = list(locked.values_list("last_assigned_id", flat=True))
    if not rows:
        # A team's first lead: insert-if-missing (two first leads at once both get here),
        # then lock like any other time.
        TeamRoutingCursor.objects.bulk_create([TeamRoutingCursor(team=team)], ignore_conflicts=True)
        rows = list(locked.values_list("last_assigned_id", flat=True))
    return rows[0]


def _open_load(*, urgent_weight: int, exclude_lead_id: int | None) -> Coalesce:
    """A member's open, not yet contacted leads, an urgent one counting `urgent_weight`:
    a subquery, so members and their loads come in one query."""
    leads = Lead.objects.filter(
        owner=OuterRef("pk"), closed_at__isnull=True, first_response_at__isnull=True
    )
    if exclude_lead_id is not None:
        leads = leads.exclude(pk=exclude_lead_id)
    weighted = Sum(
        Case(
            When(urgency=Urgency.URGENT, then=Value(urgent_weight)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    load = leads.order_by().values("owner").annotate(load=weighted).values("load")
    return Coalesce(Subquery(load, output_field=IntegerField()), Value(0))


def _unavailable_because(*, verdict: MemberVerdict, lead_weight: int) -> str:
    member = verdict.user
    if not member.is_active:
        return "inactive"
    if member.on_leave:
        return "on leave"
    if not member.is_on_shift:
        return "off shift"
    if verdict.load + lead_weight > verdict.capacity:
        if verdict.load >= verdict.capacity or lead_weight == 1:
            return f"at capacity ({verdict.load}/{verdict.capacity})"
        return (
            f"no room for an urgent lead ({verdict.load}/{verdict.capacity}, "
            f"urgent counts {lead_weight})"
        )
    return ""


@dataclass
class _Skills:
    service_lines: dict[int, set[int]] = field(default_factory=dict)
    locations: dict[int, set[int]] = field(default_factory=dict)


def _member_skills(*, rule: RoutingRule | None, user_ids: list[int]) -> _Skills:
    """Service lines and locations per member, read only when the rule narrows by them."""
    skills = _Skills()
    if rule is None:
        return skills
    if rule.match_service_line:
        rows = MemberSkills.service_lines.through.objects.filter(
            memberskills__user_id__in=user_ids
        ).values_list("memberskills__user_id", "serviceline_id")
        for user_id, service_line_id in rows:
            skills.service_lines.setdefault(user_id, set()).add(service_line_id)
    if rule.match_location:
        rows = MemberSkills.locations.through.objects.filter(
            memberskills__user_id__in=user_ids
        ).values_list("memberskills__user_id", "location_id")
        for user_id, location_id in rows:
            skills.locations.setdefault(user_id, set()).add(location_id)
    return skills


def _skill_gap(*, rule: RoutingRule, member: User, skills: _Skills, facts: LeadFacts) -> str:
    if rule.match_language and facts.language and facts.language not in member.languages:
        return f"doesn't speak {language_name(facts.language)}"
    if rule.match_service_line and facts.service_line_id is not None:
        covered = skills.service_lines.get(member.pk)
        if covered and facts.service_line_id not in covered:
            return f"doesn't cover {facts.service_line_name}"
    if rule.match_location and facts.location_id is not None:
        covered = skills.locations.get(member.pk)
        if covered and facts.location_id not in covered:
            return f"doesn't cover {facts.location_name}"
    return ""


def _skill_wanted(*, rule: RoutingRule, facts: LeadFacts) -> str:
    """ "Spanish speaker" or "member who covers Cardiology", for the explanation."""
    wants = []
    if rule.match_language and facts.language:
        wants.append(f"speaks {language_name(facts.language)}")
    if rule.match_service_line and facts.service_line_name:
        wants.append(f"covers {facts.service_line_name}")
    if rule.match_location and facts.location_name:
        wants.append(f"covers {facts.location_name}")
    if wants == [f"speaks {language_name(facts.language)}"]:
        return f"{language_name(facts.language)} speaker"
    return "member who " + " and ".join(wants) if wants else "skilled member"
