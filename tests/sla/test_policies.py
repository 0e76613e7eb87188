"""Which target a lead is held to: the most specific policy, else the service line."""

import datetime as dt

import pytest

from apps.leads.choices import LeadType, Urgency
from apps.sla.selectors import response_target_for_lead
from apps.sla.services import sla_clock_plan
from tests.factories import BusinessHoursFactory, LeadFactory, LocationFactory, ServiceLineFactory
from tests.sla.factories import ResponsePolicyFactory

pytestmark = pytest.mark.django_db

FRIDAY_1755_NEW_YORK = dt.datetime(2025, 6, 13, 21, 55, tzinfo=dt.UTC)


@pytest.fixture
def cardiology():
    service_line = ServiceLineFactory(
        slug="cardiology",
        urgent_response_minutes=15,
        soon_response_minutes=60,
        routine_response_minutes=240,
    )
    ResponsePolicyFactory(service_line=service_line, urgency=Urgency.URGENT, target_minutes=10)
    ResponsePolicyFactory(
        service_line=service_line, lead_type=LeadType.PHYSICIAN_REFERRAL, target_minutes=120
    )
    ResponsePolicyFactory(
        service_line=service_line,
        urgency=Urgency.SOON,
        lead_type=LeadType.PHYSICIAN_REFERRAL,
        target_minutes=45,
    )
    ResponsePolicyFactory(service_line=service_line, owner_notice_percent=50)  # catch-all
    ResponsePolicyFactory(
        service_line=service_line,
        urgency=Urgency.ROUTINE,
        lead_type=LeadType.EMPLOYER,
        target_minutes=5,
        is_active=False,
    )
    return service_line


@pytest.mark.parametrize(
    ("urgency", "lead_type", "expected_minutes", "expected_notice"),
    [
        pytest.param(Urgency.URGENT, LeadType.PATIENT, 10, 75, id="urgency-only-policy"),
        pytest.param(
            Urgency.URGENT, LeadType.PHYSICIAN_REFERRAL, 10, 75, id="urgency-beats-lead-type"
        ),
        pytest.param(Urgency.SOON, LeadType.PHYSICIAN_REFERRAL, 45, 75, id="both-match-wins"),
        pytest.param(
            Urgency.ROUTINE, LeadType.PHYSICIAN_REFERRAL, 120, 75, id="lead-type-only-policy"
        ),
        pytest.param(
            Urgency.ROUTINE, LeadType.PATIENT, 240, 50, id="catch-all-uses-line-default-target"
        ),
        pytest.param(Urgency.SOON, LeadType.PATIENT, 60, 50, id="catch-all-soon-default"),
        pytest.param(Urgency.ROUTINE, LeadType.EMPLOYER, 240, 50, id="inactive-policy-is-ignored"),
    ],
)
def test_most_specific_policy_wins(
    cardiology, urgency, lead_type, expected_minutes, expected_notice
):
    lead = LeadFactory(service_line=cardiology, urgency=urgency, lead_type=lead_type)

    target = response_target_for_lead(lead=lead)

    assert (target.minutes, target.owner_notice_percent) == (expected_minutes, expected_notice)


@pytest.mark.parametrize(
    ("urgency", "expected_minutes", "business_hours"),
    [
        (Urgency.URGENT, 15, False),
        (Urgency.SOON, 60, True),
        (Urgency.ROUTINE, 240, True),
    ],
)
def test_without_policy_the_service_line_defaults_apply(urgency, expected_minutes, business_hours):
    lead = LeadFactory(service_line=ServiceLineFactory(slug="oncology"), urgency=urgency)

    target = response_target_for_lead(lead=lead)

    assert (target.minutes, target.business_hours, target.policy_id) == (
        expected_minutes,
        business_hours,
        None,
    )
    assert (target.owner_notice_percent, target.fallback_after_breach_minutes) == (75, 30)


def test_policy_of_another_service_line_is_not_used(cardiology):
    lead = LeadFactory(service_line=ServiceLineFactory(slug="oncology"), urgency=Urgency.URGENT)

    assert response_target_for_lead(lead=lead).minutes == 15


@pytest.fixture
def weekday_campus():
    campus = LocationFactory(slug="weekday-campus", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHoursFactory(location=campus, weekday=weekday)
    return campus


@pytest.mark.parametrize(
    ("urgency", "expected_due"),
    [
        pytest.param(
            Urgency.URGENT,
            dt.datetime(2025, 6, 13, 22, 10, tzinfo=dt.UTC),
            id="urgent-counts-wall-clock-friday-18-10",
        ),
        pytest.param(
            Urgency.SOON,
            dt.datetime(2025, 6, 16, 13, 0, tzinfo=dt.UTC),
            id="soon-monday-09-00",
        ),
        pytest.param(
            Urgency.ROUTINE,
            dt.datetime(2025, 6, 16, 16, 0, tzinfo=dt.UTC),
            id="routine-monday-12-00",
        ),
    ],
)
def test_friday_evening_due_times(weekday_campus, urgency, expected_due):
    lead = LeadFactory(
        service_line=ServiceLineFactory(slug="orthopedics"),
        location=weekday_campus,
        urgency=urgency,
    )

    assert sla_clock_plan(lead=lead, started_at=FRIDAY_1755_NEW_YORK).due_at == expected_due
