"""Reads about staff and their roles."""

from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.timezone import now
from rest_framework.authtoken.models import Token

from apps.accounts.choices import Role
from apps.accounts.models import StaffSession, User


def user_has_role(*, user: User, roles: set[str]) -> bool:
    """True when the user is a superuser or belongs to one of the named role groups."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user_role_names(user=user) & roles)


def user_role_names(*, user: User) -> set[str]:
    """The names of the user's role groups (one query per request, cached on the user)."""
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def user_role_names_preload(*, user: User, names) -> None:
    """Remember role names read together with the user (the API token's query), so
    user_role_names asks no more."""
    user._role_names = set(names)


def user_sees_all_leads(*, user: User) -> bool:
    """Managers and admins see every lead; others see their own and their teams'."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})


def user_sees_referrals_only(*, user: User) -> bool:
    """Liaisons (without a patient-facing role) work with referral-level facts: lead
    numbers, service lines, stages, dates and outcomes, never who the patient is or what
    they wrote (minimum necessary). They read leads de-identified and change none."""
    return user_has_role(user=user, roles={Role.LIAISON}) and not user_has_role(
        user=user, roles={Role.INTAKE_COORDINATOR, Role.MANAGER, Role.ADMIN}
    )


def api_token_expires_at(*, created_at: datetime) -> datetime:
    """When a staff API token made at created_at stops working (STAFF_API_TOKEN_DAYS)."""
    return created_at + timedelta(days=settings.STAFF_API_TOKEN_DAYS)


def api_token_for_user(*, user: User) -> dict | None:
    """The user's own staff API token: when it was made and when it expires (not its key,
    which is shown once, when made)."""
    created_at = Token.objects.filter(user=user).values_list("created", flat=True).first()
    if created_at is None:
        return None
    expires_at = api_token_expires_at(created_at=created_at)
    return {"created_at": created_at, "expires_at": expires_at, "expired": expires_at <= now()}


def session_count_for_user(*, user: User) -> int:
    """How many browser sessions the user has that have not expired."""
    return StaffSession.objects.filter(user=user, expire_date__gt=now()).count()


def user_must_use_mfa(*, user: User) -> bool:
    """True when one of the user's roles is in MFA_REQUIRED_ROLES; a superuser counts as
    an admin (not as every role, as for what they may see)."""
    required = settings.MFA_REQUIRED_ROLES
    if not required:
        return False
    if user.is_superuser:
        return Role.ADMIN in required
    return user_has_role(user=user, roles=set(required))


def user_has_second_factor(*, user: User) -> bool:
    """An authenticator app or a security key/passkey (recovery codes alone don't count)."""
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def mfa_summary_for_user(*, user: User) -> dict:
    """Which second factors the user has set up, for their account page."""
    types = list(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {
        "totp": Authenticator.Type.TOTP in types,
        "security_keys": types.count(Authenticator.Type.WEBAUTHN),
        "recovery_codes": Authenticator.Type.RECOVERY_CODES in types,
        "required": user_must_use_mfa(user=user),
    }


def user_account_history(*, user: User, limit: int) -> list[LogEntry]:
    """What was changed about a staff account and by whom, newest first: the one history
    the Users and roles page, the Team members page and Django's admin all write."""
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        )
        .select_related("user")
        .order_by("-action_time", "-id")[:limit]
    )
