"""Writes of the managers' "Team members" page: a member's routing profile (languages,
service lines and locations covered, capacity, leave, shift and teams) in one go."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import user_account_history_record
from apps.core.languages import language_name
from apps.facilities.models import Location
from apps.routing.choices import Strategy
from apps.routing.models import MemberSkills, RoutingRule
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team, TeamMembership

LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
MAX_CAPACITY = 999


def _names(items: Iterable) -> str:
    return ", ".join(sorted(str(item) for item in items)) or "none"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def member_teams_leaving_refusal(*, member: User, leaving: Iterable[Team]) -> str:
    """Why the member may not leave these teams (empty when they may): a rule that gives
    a team's leads to them as its fixed owner would route to someone outside the team.
    The one place this is decided, for the Team members and the Users and roles pages."""
    fixed = list(
        RoutingRule.objects.filter(
            strategy=Strategy.FIXED_OWNER, fixed_owner=member, target_team__in=list(leaving)
        ).select_related("target_team")
    )
    if not fixed:
        return ""
    rules = "; ".join(f"“{rule.name}” ({rule.target_team.name})" for rule in fixed)
    return (
        f"{member.display_name} is the fixed owner of {rules}: change the rule "
        "before taking them out of its team."
    )


@transaction.atomic
def member_routing_profile_update(
    *,
    member: User,
    actor: User,
    languages: list[str],
    service_lines: Iterable[ServiceLine],
    locations: Iterable[Location],
    max_open_leads: int,
    on_leave: bool,
    is_on_shift: bool,
    teams: Iterable[Team],
) -> list[str]:
    """Set what routing reads of a member, all or nothing, and record who changed what
    as an admin log entry on the user (it shows in the admin's history of the account
    and on the edit page). Returns the changes in words; nothing is written when there
    are none. Leads waiting in a queue are offered again by the next routing sweep.

    Raises ValidationError keyed by field: bad language codes or capacity, or taking
    the member out of a team whose rule names them as its fixed owner.
    """
    languages = list(dict.fromkeys(code.strip().lower() for code in languages))
    service_lines, locations, teams = set(service_lines), set(locations), set(teams)
    errors: dict[str, str] = {}
    bad = [code for code in languages if not LANGUAGE_CODE_RE.match(code)]
    if bad:
        errors["languages"] = f"Not language codes: {', '.join(bad)}."
    if not 0 <= max_open_leads <= MAX_CAPACITY:
        errors["max_open_leads"] = f"Capacity is a number from 0 to {MAX_CAPACITY}."

    # The row lock serializes two managers saving the same member at once, so each
    # change recorded is the difference from what the other one saved.
    locked = User.objects.select_for_update().get(pk=member.pk)
    skills = MemberSkills.objects.select_for_update().filter(user=locked).first()
    current_lines = set(skills.service_lines.all()) if skills else set()
    current_locations = set(skills.locations.all()) if skills else set()
    current_teams = set(Team.objects.filter(memberships__user=locked))

    leaving = current_teams - teams
    if refusal := member_teams_leaving_refusal(member=locked, leaving=leaving):
        errors["teams"] = refusal
    if errors:
        raise ValidationError(errors)

    # The member's own order of languages stays (a form sends them in its own order).
    languages = [c for c in locked.languages if c in languages] + [
        c for c in languages if c not in locked.languages
    ]
    changes = []
    if languages != locked.languages:
        changes.append(
            f"languages {_names(map(language_name, locked.languages))} → "
            f"{_names(map(language_name, languages))}"
        )
    for label, old, new in (
        ("capacity", locked.max_open_leads, max_open_leads),
        ("on leave", _yes_no(locked.on_leave), _yes_no(on_leave)),
        ("on shift", _yes_no(locked.is_on_shift), _yes_no(is_on_shift)),
    ):
        if old != new:
            changes.append(f"{label} {old} → {new}")
    for label, old, new in (
        ("service lines", current_lines, service_lines),
        ("locations", current_locations, locations),
        ("teams", current_teams, teams),
    ):
        if old != new:
            changes.append(f"{label} {_names(old)} → {_names(new)}")
    if not changes:
        return []

    locked.languages, locked.max_open_leads = languages, max_open_leads
    locked.on_leave, locked.is_on_shift = on_leave, is_on_shift
    locked.save(update_fields=["languages", "max_open_leads", "on_leave", "is_on_shift"])
    if skills is None and (service_lines or locations):
        skills = MemberSkills.objects.create(user=locked)
    if skills is not None:
        if service_lines != current_lines:
            skills.service_lines.set(service_lines)
        if locations != current_locations:
            skills.locations.set(locations)
    if leaving:
        TeamMembership.objects.filter(user=locked, team__in=leaving).delete()
    if joining := teams - current_teams:
        TeamMembership.objects.bulk_create(
            [TeamMembership(team=team, user=locked) for team in joining], ignore_conflicts=True
        )
    user_account_history_record(
        actor=actor,
        user=locked,
        change_message=f"Routing profile changed by {actor.display_name}: "
        + "; ".join(changes)
        + ".",
    )
    for name in ("languages", "max_open_leads", "on_leave", "is_on_shift"):
        setattr(member, name, getattr(locked, name))
    return changes
