"""Reads of saved queue views: which views a user may pick, and which they may change."""

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.queue.models import SavedView, ViewSharing
from apps.teams.selectors import team_ids_for_user


def _saved_views_visible_to(*, user: User) -> QuerySet[SavedView]:
    """The user's own views, views shared with everyone and with a team of theirs;
    managers and admins, who publish and tidy shared views, see every shared view."""
    shared = Q(sharing=ViewSharing.EVERYONE) | Q(
        sharing=ViewSharing.TEAM, team_id__in=team_ids_for_user(user=user)
    )
    if user_sees_all_leads(user=user):
        shared = ~Q(sharing=ViewSharing.PERSONAL)
    return SavedView.objects.filter(Q(owner_id=user.pk) | shared)


def saved_view_list_for_user(*, user: User) -> list[SavedView]:
    """The views the queue's picker offers: personal ones first, then shared ones (one
    query; team names for the shared ones' labels)."""
    views = list(_saved_views_visible_to(user=user).select_related("team"))
    views.sort(key=lambda view: (view.is_shared, view.name.lower(), view.pk))
    for view in views:
        view.can_change = saved_view_can_change(user=user, view=view)
    return views


def saved_view_get_for_user(*, user: User, view_id: int) -> SavedView:
    """A view the user may pick (else SavedView.DoesNotExist: someone else's personal
    view, or one shared with a team they are not in, does not exist for them)."""
    return _saved_views_visible_to(user=user).select_related("team").get(pk=view_id)


def saved_view_can_change(*, user: User, view: SavedView) -> bool:
    """Who may rename or delete a view: its owner; for a shared view, also any manager
    or admin (a view published to a team outlives the manager who made it)."""
    if view.owner_id == user.pk:
        return True
    return view.is_shared and user_sees_all_leads(user=user)
