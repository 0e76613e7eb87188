"""Reads about teams."""

from apps.accounts.models import User
from apps.teams.models import Team


def team_ids_for_user(*, user: User) -> list[int]:
    """The ids of the active teams a user belongs to (cached on the user object)."""
    ids = getattr(user, "_team_ids", None)
    if ids is None:
        ids = list(
            Team.objects.filter(memberships__user=user, is_active=True).values_list("id", flat=True)
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
