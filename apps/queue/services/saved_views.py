"""Writes of saved queue views (apps.queue.models.SavedView)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.queue.models import QUEUE_FILTER_NAMES, SavedView, ViewSharing
from apps.queue.selectors.saved_views import saved_view_can_change
from apps.teams.models import Team


@transaction.atomic
def saved_view_create(
    *,
    owner: User,
    name: str,
    filters: dict,
    columns: list[str],
    sort: str,
    sharing: str = ViewSharing.PERSONAL,
    team: Team | None = None,
) -> SavedView:
    """Save the queue's current filters, columns and order under a name: personal, or
    (managers and admins) shared with a team or everyone. Raises ValidationError keyed
    by field. No side effects beyond the row."""
    name = name.strip()
    _sharing_check(owner=owner, sharing=sharing, team=team)
    _name_check(owner=owner, name=name, sharing=sharing)
    return SavedView.objects.create(
        owner=owner,
        name=name,
        sharing=sharing,
        team=team if sharing == ViewSharing.TEAM else None,
        filters={key: value for key, value in filters.items() if key in QUEUE_FILTER_NAMES},
        columns=list(columns),
        sort=sort,
    )


@transaction.atomic
def saved_view_rename(*, view: SavedView, name: str, actor: User) -> SavedView:
    """Give a view a new name (its owner; managers also for shared views)."""
    _change_check(view=view, actor=actor)
    name = name.strip()
    _name_check(owner=view.owner, name=name, sharing=view.sharing, exclude_id=view.pk)
    view.name = name
    view.save(update_fields=["name", "updated_at"])
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor: User) -> None:
    """Delete a view (its owner; managers also for shared views). Nobody's queue
    changes: whoever had it open keeps the filters until they pick another view."""
    _change_check(view=view, actor=actor)
    view.delete()


def _change_check(*, view: SavedView, actor: User) -> None:
    if not saved_view_can_change(user=actor, view=view):
        raise PermissionDenied("Only its owner or a manager changes a shared view.")


def _sharing_check(*, owner: User, sharing: str, team: Team | None) -> None:
    if sharing not in ViewSharing.values:
        raise ValidationError({"sharing": "Choose who sees this view."})
    if sharing == ViewSharing.PERSONAL:
        return
    if not user_sees_all_leads(user=owner):
        raise ValidationError({"sharing": "Only managers share views with a team or everyone."})
    if sharing == ViewSharing.TEAM and (team is None or not team.is_active):
        raise ValidationError({"team": "Choose the team that sees this view."})


def _name_check(*, owner: User, name: str, sharing: str, exclude_id: int | None = None) -> None:
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > SavedView._meta.get_field("name").max_length:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    # Two of one's own views under one name would be indistinguishable in the picker.
    same = SavedView.objects.filter(owner=owner, name__iexact=name, sharing=sharing)
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        raise ValidationError({"name": f"You already have a view called “{name}”."})
