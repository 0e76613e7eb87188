"""The database itself refuses rows that break the domain's invariants, whatever code
wrote them (admin, imports, a future bug)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.facilities.models import BusinessHours, Holiday
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.pipeline.models import PipelineStage
from apps.referral_sources.models import ReferralSource
from apps.servicelines.models import ServiceLine
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def _update(model, pk, **values):
    model.objects.filter(pk=pk).update(**values)


def lead_score_over_100():
    _update(Lead, LeadFactory().pk, score=101)


def lead_unknown_type():
    _update(Lead, LeadFactory().pk, lead_type="astronaut")


def lead_unknown_channel():
    _update(Lead, LeadFactory().pk, channel="carrier_pigeon")


def lead_unknown_urgency():
    _update(Lead, LeadFactory().pk, urgency="whenever")


def lead_unknown_lost_reason():
    _update(Lead, LeadFactory().pk, lost_reason="bored")


def lead_first_response_before_creation():
    lead = LeadFactory()
    _update(Lead, lead.pk, first_response_at=lead.created_at - dt.timedelta(minutes=1))


def lead_closed_before_creation():
    lead = LeadFactory()
    _update(Lead, lead.pk, closed_at=lead.created_at - dt.timedelta(days=1))


def lead_caregiver_is_the_patient():
    lead = LeadFactory()
    _update(Lead, lead.pk, caregiver=lead.person)


def lead_zero_touches():
    _update(Lead, LeadFactory().pk, touch_count=0)


def stage_change_without_target_stage():
    Activity.objects.create(lead=LeadFactory(), kind="stage_change")


def task_without_due_time():
    Activity.objects.create(lead=LeadFactory(), kind="task", body="Call back")


def activity_unknown_kind():
    Activity.objects.create(lead=LeadFactory(), kind="telepathy")


def consent_granted_without_wording():
    Consent.objects.create(
        person=PersonFactory(),
        channel="sms",
        purpose="marketing",
        status="granted",
        method="web_form",
        wording="",
    )


def consent_unknown_channel():
    Consent.objects.create(
        person=PersonFactory(),
        channel="fax",
        purpose="marketing",
        status="withdrawn",
        method="staff",
    )


def person_is_own_caregiver():
    person = PersonFactory()
    _update(Person, person.pk, patient=F("id"))


def business_hours_close_before_open():
    BusinessHours.objects.create(
        location=LocationFactory(), weekday=0, opens_at="17:00", closes_at="08:00"
    )


def business_hours_twice_on_one_day():
    location = LocationFactory()
    BusinessHours.objects.create(location=location, weekday=2, opens_at="08:00", closes_at="12:00")
    BusinessHours.objects.create(location=location, weekday=2, opens_at="13:00", closes_at="17:00")


def business_hours_eighth_weekday():
    BusinessHours.objects.create(
        location=LocationFactory(), weekday=7, opens_at="08:00", closes_at="17:00"
    )


def holiday_twice_on_one_day():
    location = LocationFactory()
    Holiday.objects.create(location=location, date=dt.date(2026, 12, 25), name="Christmas")
    Holiday.objects.create(location=location, date=dt.date(2026, 12, 25), name="Christmas Day")


def two_providers_share_an_npi():
    first = ReferralSourceFactory()
    ReferralSourceFactory(npi=first.npi)


def npi_not_ten_digits():
    _update(ReferralSource, ReferralSourceFactory().pk, npi="12345")


def npi_on_an_employer():
    ReferralSourceFactory(kind="employer", npi="1234567893")


def two_fallback_teams():
    TeamFactory(is_fallback=True)
    TeamFactory(is_fallback=True)


def service_line_zero_minute_target():
    ServiceLine.objects.create(name="Zero", slug="zero", urgent_response_minutes=0)


def two_service_lines_share_a_slug():
    ServiceLineFactory(slug="cardiology", name="Cardiology")
    ServiceLine.objects.create(name="Cardiology (duplicate)", slug="cardiology")


def stage_unknown_kind():
    PipelineStage.objects.create(name="Limbo", slug="limbo", position=999, kind="limbo")


@pytest.mark.parametrize(
    "write",
    [
        lead_score_over_100,
        lead_unknown_type,
        lead_unknown_channel,
        lead_unknown_urgency,
        lead_unknown_lost_reason,
        lead_first_response_before_creation,
        lead_closed_before_creation,
        lead_caregiver_is_the_patient,
        lead_zero_touches,
        stage_change_without_target_stage,
        task_without_due_time,
        activity_unknown_kind,
        consent_granted_without_wording,
        consent_unknown_channel,
        person_is_own_caregiver,
        business_hours_close_before_open,
        business_hours_twice_on_one_day,
        business_hours_eighth_weekday,
        holiday_twice_on_one_day,
        two_providers_share_an_npi,
        npi_not_ten_digits,
        npi_on_an_employer,
        two_fallback_teams,
        service_line_zero_minute_target,
        two_service_lines_share_a_slug,
        stage_unknown_kind,
    ],
)
def test_database_refuses(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_database_accepts_a_consistent_lead_with_caregiver_and_timestamps():
    lead = LeadFactory(caregiver=PersonFactory())
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk).update(first_response_at=now, closed_at=now, score=100)
    lead.refresh_from_db()
    assert lead.score == 100 and lead.first_response_at == now
