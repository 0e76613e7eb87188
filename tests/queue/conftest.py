"""Fixtures of the queue and lead page tests: a team with a coordinator and a colleague,
and leads routed to them the way routing leaves them (owner, team, routed_at, SLA)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Ortho intake", slug="ortho-intake")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Cardio intake", slug="cardio-intake")


@pytest.fixture
def coordinator(team):
    user = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def colleague(team):
    user = UserFactory(
        username="blake", first_name="Blake", last_name="Reed", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def manager(db):
    return UserFactory(
        username="morgan", first_name="Morgan", last_name="Hale", roles=[Role.MANAGER]
    )


@pytest.fixture
def routed_lead(db):
    """routed_lead(team=..., owner=..., due_in=minutes, **lead_fields) -> an open lead as
    routing leaves it: routed now-ish, its response clock due `due_in` minutes from now."""

    def make(*, team, owner=None, due_in=60, **fields):
        now = timezone.now()
        fields.setdefault("created_at", now - dt.timedelta(minutes=30))
        return LeadFactory(
            team=team,
            owner=owner,
            routed_at=fields["created_at"],
            sla_due_at=now + dt.timedelta(minutes=due_in),
            **fields,
        )

    return make


@pytest.fixture
def logged_in(client):
    """logged_in(user) -> the test client, logged in as that user."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in
