"""Writes to staff accounts: roles, sign-in lockouts, sessions and API tokens."""

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.accounts.choices import Role
from apps.accounts.models import StaffSession, User


def role_groups_install() -> None:
    """Create the four role groups if missing (a migration does it on install)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def user_sign_in_unlock(*, user: User) -> int:
    """Forget the failed sign-ins recorded for the user's username (django-axes), so a
    locked-out user can sign in at once; returns how many records were removed."""
    return axes_reset(username=user.username)


def user_sign_out_everywhere(*, user: User) -> int:
    """End every browser session of the user: each device is asked to sign in again at
    its next request. Returns how many sessions ended. API tokens are revoked apart."""
    deleted, _ = StaffSession.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Someone leaves: they can no longer sign in, and every session and API token they
    had ends at once."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_sign_out_everywhere(user=user)
    api_token_revoke(user=user)


@transaction.atomic
def api_token_issue(*, user: User) -> str:
    """A new staff API token for the user, replacing any they had; returns its key, which
    is shown once. It expires after STAFF_API_TOKEN_DAYS."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def api_token_revoke(*, user: User) -> bool:
    """Revoke the user's staff API token; False when they had none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
