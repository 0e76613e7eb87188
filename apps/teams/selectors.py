"""Reads about teams."""

from django.db.models import Q

from apps.accounts.models import User
from apps.teams.models import Team


def team_ids_for_user(*, user: User) -> list[int]:
    """The ids of the active teams a user belongs to or leads (cached on the user
    object). A team lead takes the team's escalations and call tasks, so sees its leads."""
    ids = getattr(user, "_team_ids", None)
    if ids is None:
        ids = list(
            Team.objects.filter(Q(memberships__user=user) | Q(team_lead=user), is_active=True)
            .values_list("id", flat=True)
            .distinct()
        )
        user._team_ids = ids
    return ids


def team_list():
    return Team.objects.select_related("team_lead").prefetch_related(
        "service_lines", "locations", "members"
    )


def team_get(*, team_id: int) -> Team:
    """One team with its lead, members and coverage; raises Team.DoesNotExist."""
    return team_list().get(pk=team_id)
