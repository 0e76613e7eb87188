"""Reads of the "Users and roles" pages: who a manager or admin may look after, and the
facts shown about them. The scope rule lives here, once:

- admins look after everyone, and may give every role;
- managers look after intake coordinators and physician liaisons (and staff with no
  role yet), hospital-wide, as they already see every lead and move any member between
  teams on the Team members page; they give only those two roles. Managers, admins,
  privacy officers and superusers are outside a manager's scope (404, never 403).
"""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.teams.models import Team

ROLE_LABELS = dict(Role.choices)
MANAGER_GIVES = (Role.INTAKE_COORDINATOR, Role.LIAISON)


def staff_roles_assignable(*, actor: User) -> list[Role]:
    """The roles `actor` may give (and the roles of the people they may look after)."""
    if user_has_role(user=actor, roles={Role.ADMIN}):
        return list(Role)
    if user_has_role(user=actor, roles={Role.MANAGER}):
        return list(MANAGER_GIVES)
    return []


def user_manages_staff(*, user: User) -> bool:
    """Managers and admins see the "Users and roles" pages."""
    return bool(staff_roles_assignable(actor=user))


def staff_in_scope(*, actor: User) -> QuerySet[User]:
    """The users `actor` may look after (see the module's docstring)."""
    assignable = staff_roles_assignable(actor=actor)
    users = User.objects.all()
    if not assignable:
        return users.none()
    if Role.ADMIN in assignable:
        return users
    others = [role.value for role in Role if role not in assignable]
    return users.filter(is_superuser=False).exclude(groups__name__in=others)


@dataclass
class StaffRow:
    user: User
    roles: list[str]
    teams: list[str]
    mfa_enrolled: bool
    locked_out: bool


def _locked_out_usernames(usernames: list[str]) -> set[str]:
    """Usernames django-axes holds locked now (failures over the limit, inside the
    cool-off), in one query."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def _with_second_factor(user_ids: list[int]) -> set[int]:
    return set(
        Authenticator.objects.filter(
            user_id__in=user_ids,
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        ).values_list("user_id", flat=True)
    )


def _rows(users: list[User]) -> list[StaffRow]:
    ids = [user.pk for user in users]
    enrolled = _with_second_factor(ids)
    locked = _locked_out_usernames([user.username for user in users])
    return [
        StaffRow(
            user=user,
            roles=[str(ROLE_LABELS.get(g.name, g.name)) for g in user.groups.all()],
            teams=[team.name for team in user.teams.all()],
            mfa_enrolled=user.pk in enrolled,
            locked_out=user.username in locked,
        )
        for user in users
    ]


def staff_list_for_user(*, actor: User) -> list[StaffRow]:
    """Everyone `actor` looks after, active first, by name; a fixed number of queries
    (users, their roles, their teams, second factors, lockouts) however many there are."""
    users = list(
        staff_in_scope(actor=actor)
        .order_by("-is_active", "first_name", "last_name", "username")
        .prefetch_related("groups", "teams")
    )
    return _rows(users)


def staff_get_for_user(*, actor: User, user_id: int) -> StaffRow:
    """One person `actor` looks after; raises User.DoesNotExist outside their scope."""
    user = staff_in_scope(actor=actor).prefetch_related("groups", "teams").get(pk=user_id)
    return _rows([user])[0]


def staff_team_choices() -> QuerySet[Team]:
    return Team.objects.filter(is_active=True).order_by("name")
