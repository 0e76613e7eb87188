"""Staff and teams for the staff API's tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Orthopedics intake", slug="ortho-intake")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


@pytest.fixture
def coordinator(team):
    user = UserFactory(username="coordinator", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def colleague(team):
    """Another coordinator in the same team."""
    user = UserFactory(username="colleague", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def outsider(other_team):
    """A coordinator of another team."""
    user = UserFactory(username="outsider", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=other_team, user=user)
    return user


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=[Role.MANAGER])


@pytest.fixture
def liaison(db):
    return UserFactory(username="liaison", roles=[Role.LIAISON])


@pytest.fixture
def client_for():
    """An API client authenticated by a real token, as an integration would be: each
    request loads the user afresh, so query counts include what a request really does."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
