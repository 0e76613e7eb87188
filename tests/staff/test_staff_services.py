"""Users and roles: who may look after whom, what each change does, and its history."""

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.accounts.choices import Role
from apps.accounts.models import StaffSession, User
from apps.staff import services
from apps.staff.selectors import staff_get_for_user, staff_list_for_user
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(username="maria", first_name="Maria", roles=[Role.MANAGER])


@pytest.fixture
def admin():
    return UserFactory(username="ada", first_name="Ada", roles=[Role.ADMIN])


@pytest.fixture
def coordinator():
    return UserFactory(username="avery", first_name="Avery", roles=[Role.INTAKE_COORDINATOR])


def _roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_a_manager_cannot_make_an_admin(manager, coordinator):
    with pytest.raises(PermissionDenied):
        services.staff_role_and_teams_update(
            actor=manager, member=coordinator, role=Role.ADMIN, teams=[]
        )
    assert _roles(coordinator) == {Role.INTAKE_COORDINATOR}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.PRIVACY_OFFICER])
def test_a_manager_cannot_invite_anyone_above_a_coordinator_or_liaison(manager, role):
    with pytest.raises(PermissionDenied):
        services.staff_invite(
            actor=manager, username="new", first_name="N", last_name="", email="n@h.test",
            role=role, teams=[],
        )  # fmt: skip
    assert not User.objects.filter(username="new").exists()


def test_an_admin_may_make_a_manager(admin, coordinator):
    services.staff_role_and_teams_update(
        actor=admin, member=coordinator, role=Role.MANAGER, teams=[]
    )
    assert _roles(coordinator) == {Role.MANAGER}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.PRIVACY_OFFICER])
def test_managers_admins_and_privacy_officers_are_outside_a_managers_scope(manager, role):
    other = UserFactory(roles=[role])

    with pytest.raises(User.DoesNotExist):
        staff_get_for_user(actor=manager, user_id=other.pk)
    assert other not in [row.user for row in staff_list_for_user(actor=manager)]
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=manager, member=other)
    assert User.objects.get(pk=other.pk).is_active


def test_a_superuser_is_outside_a_managers_scope(manager):
    root = UserFactory(is_superuser=True)
    with pytest.raises(User.DoesNotExist):
        staff_get_for_user(actor=manager, user_id=root.pk)


@pytest.mark.parametrize("role", [Role.INTAKE_COORDINATOR, Role.LIAISON])
def test_a_coordinator_or_liaison_looks_after_nobody(role, coordinator):
    actor = UserFactory(roles=[role])
    assert staff_list_for_user(actor=actor) == []
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=actor, member=coordinator)


def test_a_manager_moves_a_coordinator_between_teams_on_the_record(manager, coordinator):
    ortho, cardio = TeamFactory(name="Ortho"), TeamFactory(name="Cardio")
    TeamMembershipFactory(team=ortho, user=coordinator)

    changes = services.staff_role_and_teams_update(
        actor=manager, member=coordinator, role=Role.INTAKE_COORDINATOR, teams=[cardio]
    )

    assert changes == ["teams Ortho → Cardio"]
    assert list(coordinator.teams.all()) == [cardio]
    entry = LogEntry.objects.get(object_id=str(coordinator.pk))
    assert entry.user == manager
    assert entry.change_message == "Teams Ortho → Cardio (by Maria " + manager.last_name + ")."


def test_nothing_changed_writes_nothing(manager, coordinator):
    assert (
        services.staff_role_and_teams_update(
            actor=manager, member=coordinator, role=Role.INTAKE_COORDINATOR, teams=[]
        )
        == []
    )
    assert not LogEntry.objects.exists()


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(admin):
    with pytest.raises(ValidationError):
        services.staff_role_and_teams_update(actor=admin, member=admin, role=Role.MANAGER, teams=[])
    with pytest.raises(ValidationError):
        services.staff_deactivate(actor=admin, member=admin)
    assert _roles(admin) == {Role.ADMIN}


def test_deactivating_ends_every_session_and_the_api_token(client, manager, coordinator):
    client.force_login(coordinator)
    Token.objects.create(user=coordinator)

    services.staff_deactivate(actor=manager, member=coordinator)

    coordinator.refresh_from_db()
    assert not coordinator.is_active
    assert not StaffSession.objects.filter(user=coordinator).exists()
    assert not Token.objects.filter(user=coordinator).exists()
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out

    services.staff_reactivate(actor=manager, member=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.is_active
    messages = list(
        LogEntry.objects.filter(object_id=str(coordinator.pk))
        .order_by("id")
        .values_list("change_message", flat=True)
    )
    assert [m.split(" (by")[0] for m in messages] == [
        "Deactivated; signed out everywhere",
        "Reactivated",
    ]


def test_unlocking_lets_a_locked_out_user_in_at_once(manager, coordinator):
    AccessAttempt.objects.create(
        username=coordinator.username,
        ip_address="203.0.113.9",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    assert staff_get_for_user(actor=manager, user_id=coordinator.pk).locked_out

    services.staff_sign_in_unlock(actor=manager, member=coordinator)

    assert not staff_get_for_user(actor=manager, user_id=coordinator.pk).locked_out


def test_resetting_two_factor_removes_every_factor(manager, coordinator):
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={})
    assert staff_get_for_user(actor=manager, user_id=coordinator.pk).mfa_enrolled

    assert services.staff_mfa_reset(actor=manager, member=coordinator) == 1

    assert not Authenticator.objects.filter(user=coordinator).exists()


def test_an_invitation_makes_the_account_and_emails_a_link_to_choose_a_password(
    manager, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="Ortho")
    with django_capture_on_commit_callbacks(execute=True):
        member = services.staff_invite(
            actor=manager, username="newbie", first_name="Nia", last_name="Bell",
            email="nia@hospital.test", role=Role.LIAISON, teams=[team],
        )  # fmt: skip

    assert _roles(member) == {Role.LIAISON}
    assert list(member.teams.all()) == [team]
    (email,) = mail.outbox
    assert email.to == ["nia@hospital.test"]
    assert "/accounts/password/reset/" in email.body or "reset" in email.body
    assert LogEntry.objects.get(object_id=str(member.pk)).change_message.startswith(
        "Invited as Physician liaison, teams Ortho"
    )


def test_a_taken_username_is_a_field_error(manager, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.staff_invite(
            actor=manager, username="AVERY", first_name="A", last_name="", email="a@h.test",
            role=Role.LIAISON, teams=[],
        )  # fmt: skip
    assert "username" in caught.value.message_dict


def test_the_list_costs_the_same_queries_for_many_people(manager, django_assert_num_queries):
    team = TeamFactory()
    for _ in range(3):
        TeamMembershipFactory(team=team, user=UserFactory(roles=[Role.INTAKE_COORDINATOR]))
    # the actor's roles; users; their roles; their teams; second factors; lockouts
    with django_assert_num_queries(6):
        rows = staff_list_for_user(actor=manager)
    for _ in range(5):
        UserFactory(roles=[Role.LIAISON])
    manager._role_names = None
    with django_assert_num_queries(6):
        assert len(staff_list_for_user(actor=manager)) == len(rows) + 5
