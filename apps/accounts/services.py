"""Writes to staff accounts."""

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group

from apps.accounts.choices import Role
from apps.accounts.models import User


def role_groups_install() -> None:
    """Create the four role groups if missing (a migration does it on install)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def user_sign_in_unlock(*, user: User) -> int:
    """Forget the failed sign-ins recorded for the user's username (django-axes), so a
    locked-out user can sign in at once; returns how many records were removed."""
    return axes_reset(username=user.username)
