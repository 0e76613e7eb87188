"""The Users and roles pages: 404 outside the viewer's scope, only the roles they may
give on offer, confirmations before what cannot be taken back."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(username="maria", roles=[Role.MANAGER])
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.PRIVACY_OFFICER])
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("staff:detail", "get"),
        ("staff:detail", "post"),
        ("staff:deactivate", "get"),
        ("staff:deactivate", "post"),
        ("staff:reactivate", "post"),
        ("staff:unlock", "post"),
        ("staff:reset_mfa", "post"),
    ],
)
def test_out_of_scope_edits_answer_404(client, manager, role, name, method):
    other = UserFactory(roles=[role])
    response = getattr(client, method)(reverse(name, args=[other.pk]), {"role": Role.LIAISON})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active
    assert set(other.groups.values_list("name", flat=True)) == {role}


def test_a_manager_is_offered_only_coordinator_and_liaison(client, manager):
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    page = client.get(reverse("staff:detail", args=[coordinator.pk])).content.decode()
    assert 'value="intake coordinator"' in page and 'value="liaison"' in page
    assert 'value="admin"' not in page and 'value="manager"' not in page

    response = client.post(reverse("staff:detail", args=[coordinator.pk]), {"role": "admin"})

    assert response.status_code == 400
    assert set(coordinator.groups.values_list("name", flat=True)) == {Role.INTAKE_COORDINATOR}


def test_a_manager_changes_a_coordinators_teams(client, manager):
    ortho, cardio = TeamFactory(name="Ortho"), TeamFactory(name="Cardio")
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=ortho, user=coordinator)

    response = client.post(
        reverse("staff:detail", args=[coordinator.pk]),
        {"role": Role.INTAKE_COORDINATOR, "teams": [ortho.pk, cardio.pk]},
        follow=True,
    )

    assert "Saved" in response.content.decode()
    assert set(coordinator.teams.all()) == {ortho, cardio}


def test_deactivation_asks_first(client, manager):
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    page = client.get(reverse("staff:deactivate", args=[coordinator.pk]))
    assert page.status_code == 200
    assert "Every browser session and their API token end now" in page.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active

    client.post(reverse("staff:deactivate", args=[coordinator.pk]))
    coordinator.refresh_from_db()
    assert not coordinator.is_active


def test_the_list_shows_role_teams_and_two_factor(client, manager):
    coordinator = UserFactory(
        first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=TeamFactory(name="Ortho intake"), user=coordinator)
    page = client.get(reverse("staff:list")).content.decode()
    assert "Avery Stone" in page
    assert "Intake coordinator" in page
    assert "Ortho intake" in page
    assert "Not set up" in page
