"""A small intake department for escalation tests: a team with its lead and one
coordinator, a manager, and a fallback team. Imported by the sla and alerts conftests."""

import datetime as dt

import pytest
import time_machine

from apps.accounts.choices import Role
from apps.leads.choices import Urgency
from tests.factories import (
    LeadFactory,
    LocationFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

# A Tuesday morning; the clock is frozen here and moved by each test.
T0 = dt.datetime(2025, 6, 10, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=[Role.MANAGER])


@pytest.fixture
def team_lead(db):
    return UserFactory(username="teamlead")


@pytest.fixture
def owner(db):
    return UserFactory(username="coordinator", roles=[Role.INTAKE_COORDINATOR])


@pytest.fixture
def team(team_lead, owner):
    team = TeamFactory(slug="orthopedics-intake", team_lead=team_lead)
    TeamMembershipFactory(team=team, user=owner)
    return team


@pytest.fixture
def fallback_lead(db):
    return UserFactory(username="fallbacklead")


@pytest.fixture
def fallback_team(fallback_lead):
    return TeamFactory(slug="central-intake", team_lead=fallback_lead, is_fallback=True)


@pytest.fixture
def service_line(db):
    return ServiceLineFactory(
        slug="orthopedics",
        urgent_response_minutes=20,
        soon_response_minutes=60,
        routine_response_minutes=240,
    )


@pytest.fixture
def open_all_hours(db):
    """A location with no hours configured: open 24/7, so business minutes are minutes."""
    return LocationFactory(slug="emergency-campus", time_zone="America/New_York")


@pytest.fixture
def make_lead(clock, service_line, open_all_hours, owner, team):
    def make(**fields):
        values = {
            "service_line": service_line,
            "location": open_all_hours,
            "urgency": Urgency.URGENT,
            "owner": owner,
            "team": team,
            "created_at": T0,
            **fields,
        }
        return LeadFactory(**values)

    return make
