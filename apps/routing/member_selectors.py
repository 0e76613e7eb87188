"""Reads of the managers' "Team members" page: each team's members with the facts
routing reads of them, and their current load."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.languages import language_name
from apps.leads.choices import Urgency
from apps.leads.models import Lead
from apps.routing.decision import MEMBER_FIELDS
from apps.routing.models import MemberSkills, RoutingRule
from apps.teams.models import Team, TeamMembership

ROLE_LABELS = dict(Role.choices)


@dataclass
class MemberRow:
    """One member of staff as the page shows them. `open_leads` counts their open, not
    yet contacted leads (what capacity limits); urgent ones weigh more when routing."""

    user: User
    roles: list[str]
    languages: list[str]
    service_lines: list[str]
    locations: list[str]
    open_leads: int = 0
    urgent_open_leads: int = 0

    @property
    def at_capacity(self) -> bool:
        return self.open_leads >= self.user.max_open_leads


@dataclass
class TeamSection:
    """A team and its members; `team` is None for staff in no team."""

    team: Team | None
    members: list[MemberRow] = field(default_factory=list)


def member_open_loads(*, user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{user id: (open not yet contacted leads, of which urgent)} in one GROUP BY query,
    read from the queue's partial index of running response clocks."""
    rows = (
        Lead.objects.filter(
            owner_id__in=user_ids, closed_at__isnull=True, first_response_at__isnull=True
        )
        .order_by()
        .values("owner_id")
        .annotate(open=Count("id"), urgent=Count("id", filter=Q(urgency=Urgency.URGENT)))
        .values_list("owner_id", "open", "urgent")
    )
    return {owner_id: (open_leads, urgent) for owner_id, open_leads, urgent in rows}


def _members_with_skills(users: QuerySet[User]) -> QuerySet[User]:
    return users.only(*MEMBER_FIELDS, "title").prefetch_related(
        "groups", "routing_skills__service_lines", "routing_skills__locations"
    )


def _member_row(user: User) -> MemberRow:
    try:
        skills = user.routing_skills
    except MemberSkills.DoesNotExist:
        skills = None
    return MemberRow(
        user=user,
        roles=[str(ROLE_LABELS.get(g.name, g.name)) for g in user.groups.all()],
        languages=sorted(language_name(code) for code in user.languages),
        service_lines=sorted(s.name for s in skills.service_lines.all()) if skills else [],
        locations=sorted(loc.name for loc in skills.locations.all()) if skills else [],
    )


def team_member_board() -> list[TeamSection]:
    """Every active team with its members, then active staff in no team.

    A fixed number of queries whatever the number of teams and members: teams,
    memberships, members, their roles, skills (three prefetches) and one for all loads.
    """
    teams = list(Team.objects.filter(is_active=True).select_related("team_lead"))
    memberships = list(
        TeamMembership.objects.filter(team__is_active=True).values_list("team_id", "user_id")
    )
    member_ids = {user_id for _, user_id in memberships}
    users = _members_with_skills(User.objects.filter(Q(is_active=True) | Q(pk__in=member_ids)))
    rows = {user.pk: _member_row(user) for user in users}
    for user_id, (open_leads, urgent) in member_open_loads(user_ids=list(rows)).items():
        rows[user_id].open_leads, rows[user_id].urgent_open_leads = open_leads, urgent

    sections = {team.pk: TeamSection(team=team) for team in teams}
    members_of: dict[int, set[int]] = {}
    for team_id, user_id in memberships:
        members_of.setdefault(team_id, set()).add(user_id)
    # rows keep the users' order (by name), so each team lists its members by name
    for section in sections.values():
        wanted = members_of.get(section.team.pk, set())
        section.members = [row for user_id, row in rows.items() if user_id in wanted]
    unassigned = TeamSection(
        team=None,
        members=[
            row for user_id, row in rows.items() if user_id not in member_ids and row.user.is_active
        ],
    )
    return [*sections.values(), unassigned]


def member_get_for_edit(*, user_id: int) -> User:
    """A member of staff with their skills and teams loaded; raises User.DoesNotExist."""
    return User.objects.prefetch_related(
        "routing_skills__service_lines", "routing_skills__locations", "teams"
    ).get(pk=user_id)


def routing_rule_languages() -> set[str]:
    """The language codes routing rules ask for: members must be able to have them."""
    rows = RoutingRule.objects.values_list("languages", flat=True)
    return {code for codes in rows for code in codes}
