"""Who inside a team gets the lead: each member's availability, load and skills, and
the team's strategy (round robin, least open load, fixed owner). Members, their shifts,
skills and loads are always read fresh."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from apps.accounts.models import User
from apps.core.languages import language_name
from apps.leads.choices import Urgency
from apps.leads.models import Lead
from apps.routing.choices import Strategy
from apps.routing.decision.facts import LeadFacts
from apps.routing.decision.outcome import MemberVerdict, TeamPick
from apps.routing.models import MemberSkills, RoutingRule, TeamRoutingCursor
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


def team_pick(
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
    """Who of the team's members takes the lead by its strategy, and why each other
    member was passed over (off shift, at capacity, lacking a skill, not next in turn)."""
    pick = TeamPick(team=team, strategy=strategy)
    # The lock comes first: loads and the cursor are read only once this team's other
    # routing decisions have committed.
    last_assigned_id = _cursor_last_assigned_id(team=team, lock=lock)
    # Only members of the team can own its leads (apps.leads.services.lead_assign): a
    # fixed owner who has left the team gets nothing and the fallback team takes over.
    candidates = User.objects.filter(team_memberships__team=team)
    if strategy == Strategy.FIXED_OWNER:
        candidates = candidates.filter(pk=fixed_owner_id)
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
