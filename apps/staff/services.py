"""Writes of the "Users and roles" pages: invite someone, change their role and teams,
deactivate and reactivate them, unlock their sign-in, reset their second factors.

Every service checks that the actor may look after the person and give the role
(apps.staff.selectors: the one scope rule), whatever page or script calls it, and
records what changed and by whom on the person's history (Django's admin log, which
the Team members page and the admin site show too).
"""

import logging
import secrets
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts import services as account_services
from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.routing.member_services import member_teams_leaving_refusal
from apps.staff.selectors import ROLE_LABELS, staff_in_scope, staff_roles_assignable
from apps.teams.models import Team, TeamMembership

logger = logging.getLogger(__name__)


def _history_record(*, actor: User, member: User, message: str, flag: int = CHANGE) -> None:
    account_services.user_account_history_record(
        actor=actor,
        user=member,
        change_message=f"{message} (by {actor.display_name}).",
        flag=flag,
    )


def _may_look_after(*, actor: User, member: User) -> None:
    if not staff_in_scope(actor=actor).filter(pk=member.pk).exists():
        raise PermissionDenied("You do not look after this person's account.")


def _may_give(*, actor: User, role: str) -> None:
    if role not in staff_roles_assignable(actor=actor):
        raise PermissionDenied(f"You may not give the role {ROLE_LABELS.get(role, role)}.")


def _not_yourself(*, actor: User, member: User, what: str) -> None:
    # An admin who demotes or deactivates themselves can lock the hospital out.
    if actor.pk == member.pk:
        raise ValidationError(f"You cannot {what} yourself: ask another admin.")


def _names(items: Iterable) -> str:
    return ", ".join(sorted(str(item) for item in items)) or "none"


@transaction.atomic
def staff_invite(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    teams: Iterable[Team],
) -> User:
    """Add a member of staff in a role and teams. Side effects: a history entry, and
    after commit an email with a link to choose their password (valid
    PASSWORD_RESET_TIMEOUT; after that "Forgot your password?" sends a new one) when
    local passwords are on. Raises PermissionDenied for a role the actor may not give,
    ValidationError keyed by `username` when it is taken."""
    _may_give(actor=actor, role=role)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "Someone already has this username."})
    member = User(username=username, first_name=first_name, last_name=last_name, email=email)
    # A password nobody knows: the invitation's link (a password reset link) sets theirs,
    # and a usable one lets "Forgot your password?" work if the link expires.
    member.set_password(secrets.token_urlsafe(32))
    member.save()
    member.groups.set([Group.objects.get(name=role)])
    teams = set(teams)
    TeamMembership.objects.bulk_create([TeamMembership(team=team, user=member) for team in teams])
    _history_record(
        actor=actor,
        member=member,
        flag=ADDITION,
        message=f"Invited as {ROLE_LABELS[role]}, teams {_names(teams)}",
    )
    if settings.LOCAL_PASSWORDS_ENABLED and member.email:
        transaction.on_commit(lambda: staff_invitation_send(member=member, actor=actor))
    return member


def staff_invitation_send(*, member: User, actor: User) -> bool:
    """The invitation email: who invited them and the link to choose a password. Runs
    after the account is saved; a mail server that fails is logged, not raised (the
    account exists, and "Forgot your password?" sends a link as well)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": default_token_generator.make_token(member),
        },
    )
    context = {
        "member": member,
        "actor": actor,
        "link": settings.SITE_URL.rstrip("/") + path,
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    try:
        send_mail(
            subject="Your LeadCRM account",
            message=render_to_string("emails/staff/invitation.txt", context),
            from_email=None,
            recipient_list=[member.email],
        )
    except (smtplib.SMTPException, OSError):
        logger.warning("invitation email to user %s not sent", member.pk, exc_info=True)
        return False
    return True


@transaction.atomic
def staff_role_and_teams_update(
    *, actor: User, member: User, role: str, teams: Iterable[Team]
) -> list[str]:
    """Give the member this role (their only role from now on) and exactly these teams.
    Returns the changes in words (nothing written when there are none). Side effect: a
    history entry. Raises PermissionDenied outside the actor's scope or for a role they
    may not give; ValidationError for your own role, or a team the member is a rule's
    fixed owner in (apps.routing.member_services)."""
    _may_look_after(actor=actor, member=member)
    _may_give(actor=actor, role=role)
    locked = User.objects.select_for_update().get(pk=member.pk)
    current_roles = set(locked.groups.filter(name__in=Role.values).values_list("name", flat=True))
    current_teams = set(Team.objects.filter(memberships__user=locked))
    teams = set(teams)
    changes = []
    if current_roles != {role}:
        _not_yourself(actor=actor, member=locked, what="change the role of")
        changes.append(
            f"role {_names(ROLE_LABELS[r] for r in current_roles)} → {ROLE_LABELS[role]}"
        )
    if current_teams != teams:
        if refusal := member_teams_leaving_refusal(member=locked, leaving=current_teams - teams):
            raise ValidationError({"teams": refusal})
        changes.append(f"teams {_names(current_teams)} → {_names(teams)}")
    if not changes:
        return []
    if current_roles != {role}:
        locked.groups.remove(*Group.objects.filter(name__in=Role.values))
        locked.groups.add(Group.objects.get(name=role))
    TeamMembership.objects.filter(user=locked, team__in=current_teams - teams).delete()
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, user=locked) for team in teams - current_teams],
        ignore_conflicts=True,
    )
    message = "; ".join(changes)
    _history_record(actor=actor, member=locked, message=message[0].upper() + message[1:])
    return changes


@transaction.atomic
def staff_deactivate(*, actor: User, member: User) -> None:
    """Someone leaves: they can no longer sign in, and every session and API token they
    had ends at once (apps.accounts.services.user_deactivate). Side effect: history."""
    _may_look_after(actor=actor, member=member)
    _not_yourself(actor=actor, member=member, what="deactivate")
    account_services.user_deactivate(user=member)
    _history_record(actor=actor, member=member, message="Deactivated; signed out everywhere")


@transaction.atomic
def staff_reactivate(*, actor: User, member: User) -> None:
    """Let someone sign in again (with their password or single sign-on; nothing of
    their old sessions or token comes back). Side effect: history."""
    _may_look_after(actor=actor, member=member)
    if member.is_active:
        return
    member.is_active = True
    member.save(update_fields=["is_active"])
    _history_record(actor=actor, member=member, message="Reactivated")


@transaction.atomic
def staff_sign_in_unlock(*, actor: User, member: User) -> int:
    """Lift a sign-in lockout (django-axes) before its cool-off ends; returns how many
    failure records went. Side effect: history."""
    _may_look_after(actor=actor, member=member)
    removed = account_services.user_sign_in_unlock(user=member)
    _history_record(actor=actor, member=member, message="Sign-in unlocked")
    return removed


@transaction.atomic
def staff_mfa_reset(*, actor: User, member: User) -> int:
    """Remove every second factor of the member (a lost phone or key) and end their
    sessions; they set up a factor again at their next sign-in if their role requires
    one. Returns how many factors went. Side effect: history."""
    _may_look_after(actor=actor, member=member)
    removed = account_services.user_mfa_reset(user=member)
    _history_record(
        actor=actor, member=member, message="Two-factor authentication reset; signed out"
    )
    return removed
