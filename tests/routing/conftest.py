"""Fixtures of the routing tests: a fallback team and a way to staff teams."""

import pytest

from apps.accounts.choices import Role
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def fallback_team(db):
    return TeamFactory(name="Central intake", slug="central-intake", is_fallback=True)


@pytest.fixture
def staff(db):
    """staff(team, **user_fields) -> a member of the team (on shift, English, capacity 15)."""

    def make(team, **fields):
        user = UserFactory(**fields)
        TeamMembershipFactory(team=team, user=user)
        return user

    return make


@pytest.fixture
def manager(db):
    return UserFactory(
        username="manager", roles=[Role.MANAGER], first_name="Maria", last_name="Manager"
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", roles=[Role.INTAKE_COORDINATOR])
