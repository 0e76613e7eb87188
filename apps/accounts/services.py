"""Writes to staff accounts: roles, sign-in lockouts, sessions and API tokens."""

from allauth.mfa.models import Authenticator
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.accounts.choices import Role
from apps.accounts.models import StaffSession, User


def role_groups_install() -> None:
    """Create the role groups if missing (migrations do it on install)."""
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


@transaction.atomic
def user_mfa_reset(*, user: User) -> int:
    """An admin resets someone's second factors (a lost phone or key): every authenticator
    app, security key and recovery code goes, and so do their sessions; they sign in with
    their password and, if their role requires it, set up a factor again. Returns how
    many factors were removed."""
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    user_sign_out_everywhere(user=user)
    return deleted


@transaction.atomic
def user_roles_sync_from_groups(*, user: User, groups: list[str]) -> set[str] | None:
    """Single sign-on: the user's roles become those SSO_GROUP_ROLES maps their identity
    provider groups to (none if no group maps). Without SSO_GROUP_ROLES, roles are left
    as admins set them. Returns the roles set, or None when left alone."""
    mapping = settings.SSO_GROUP_ROLES
    if not mapping:
        return None
    roles = {mapping[group] for group in groups if group in mapping}
    user.groups.remove(*Group.objects.filter(name__in=[role.value for role in Role]))
    user.groups.add(*Group.objects.filter(name__in=roles))
    return roles


def user_settings_update(*, user: User, time_zone: str, alert_emails: str) -> list[str]:
    """The user's own settings from their account page: the zone times are shown in
    (empty: the browser's) and which alerts they also get by email. Returns the fields
    changed."""
    changed = [
        name
        for name, value in (("time_zone", time_zone), ("alert_emails", alert_emails))
        if getattr(user, name) != value
    ]
    for name in changed:
        setattr(user, name, locals()[name])
    if changed:
        user.save(update_fields=changed)
    return changed


def sessions_clear_expired() -> int:
    """Delete sessions past their expiry (Django keeps them until asked); returns how
    many went."""
    deleted, _ = StaffSession.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted


def user_account_history_record(
    *, actor: User, user: User, change_message: str, flag: int = CHANGE
) -> None:
    """Add a line to a staff account's history (see `user_account_history`)."""
    LogEntry.objects.create(
        user=actor,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user)[:200],
        action_flag=flag,
        change_message=change_message,
    )
