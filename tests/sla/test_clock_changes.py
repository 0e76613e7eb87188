"""Routing starts each lead's response clock from the response policies and the
locations' opening hours as the database holds them: a change applies to the next lead,
whichever process made it (a bulk write, which sends no model signal, stands for
another process)."""

import datetime as dt

import pytest

from apps.leads.choices import Urgency
from apps.routing.services import lead_route
from apps.sla.models import ResponsePolicy
from apps.sla.services import response_policy_save
from tests.factories import BusinessHoursFactory, LeadFactory, LocationFactory, TeamFactory
from tests.sla.factories import HolidayFactory, ResponsePolicyFactory

pytestmark = pytest.mark.django_db

# Monday 2025-06-09, 10:00 in New York.
MONDAY_10_NEW_YORK = dt.datetime(2025, 6, 9, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def weekdays_9_to_5(db):
    location = LocationFactory(slug="north", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHoursFactory(
            location=location, weekday=weekday, opens_at=dt.time(9), closes_at=dt.time(17)
        )
    return location


@pytest.fixture
def route(service_line, weekdays_9_to_5, fallback_team):
    """route(**lead fields) -> the lead's due time once routed (created Monday 10:00)."""

    def route_one(**fields):
        values = {
            "service_line": service_line,
            "location": weekdays_9_to_5,
            "urgency": Urgency.ROUTINE,
            "created_at": MONDAY_10_NEW_YORK,
            **fields,
        }
        lead = LeadFactory(**values)
        lead_route(lead_id=lead.pk)
        lead.refresh_from_db()
        return lead.sla_due_at

    return route_one


@pytest.fixture
def warm(route):
    # Routine, 240 business minutes from Monday 10:00: Monday 14:00 in New York.
    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=4)


def test_a_policy_saved_sets_the_next_due_time_at_once(route, service_line, warm):
    response_policy_save(
        policy=ResponsePolicy(service_line=service_line, urgency=Urgency.ROUTINE, target_minutes=60)
    )

    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=1)


def test_a_service_line_target_changed_applies_at_once(route, service_line, warm):
    service_line.routine_response_minutes = 120
    service_line.save()

    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=2)


def test_shorter_opening_hours_apply_at_once(route, weekdays_9_to_5, warm):
    monday = weekdays_9_to_5.business_hours.get(weekday=0)
    monday.closes_at = dt.time(12)
    monday.save()

    # Two hours on Monday (10-12), the other two from Tuesday 09:00.
    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(days=1, hours=1)


def test_a_holiday_added_moves_the_next_due_time_at_once(route, weekdays_9_to_5, warm):
    HolidayFactory(location=weekdays_9_to_5, date=dt.date(2025, 6, 10))  # Tuesday
    lead_created = MONDAY_10_NEW_YORK + dt.timedelta(hours=6)  # Monday 16:00

    # One hour on Monday, then Tuesday is closed: Wednesday 12:00.
    assert route(created_at=lead_created) == MONDAY_10_NEW_YORK + dt.timedelta(days=2, hours=2)


def test_a_policy_added_elsewhere_applies_to_the_next_lead(route, service_line, warm):
    # bulk_create sends no signals: as if another process had added it.
    ResponsePolicy.objects.bulk_create(
        [ResponsePolicy(service_line=service_line, urgency=Urgency.ROUTINE, target_minutes=60)]
    )

    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=1)


def test_hours_changed_elsewhere_apply_to_the_next_lead(route, weekdays_9_to_5, warm):
    weekdays_9_to_5.business_hours.filter(weekday=0).update(closes_at=dt.time(12))

    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(days=1, hours=1)


def test_each_lead_gets_the_policy_of_its_own_urgency_and_type(route, service_line, warm):
    ResponsePolicyFactory(service_line=service_line, urgency=Urgency.SOON, target_minutes=30)

    assert route(urgency=Urgency.SOON) == MONDAY_10_NEW_YORK + dt.timedelta(minutes=30)
    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=4)
    # Urgent leads count wall-clock minutes (the service line's 20).
    assert route(urgency=Urgency.URGENT) == MONDAY_10_NEW_YORK + dt.timedelta(minutes=20)


def test_a_lead_routed_into_a_new_team_keeps_its_policy(route, warm):
    TeamFactory(slug="another-team")

    assert route() == MONDAY_10_NEW_YORK + dt.timedelta(hours=4)
