"""lead_create: a new lead at stage New with its first inquiry."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.leads.choices import ActivityKind, Direction
from apps.leads.models import Activity, Lead
from apps.leads.services import lead_create, lead_stage_change
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import LocationFactory, PersonFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_lead(db):
    return lead_create(
        person=PersonFactory(),
        lead_type="patient",
        channel="web_form",
        service_line=ServiceLineFactory(slug="orthopedics"),
        location=LocationFactory(),
        urgency="soon",
        payer="Aetna",
        message="Knee pain; please call.",
        utm={"source": "google", "campaign": "knee"},
        landing_page="https://hospital.example.org/knee",
        captured_via="website form",
    )


def test_the_lead_is_saved_as_returned(new_lead):
    saved = Lead.objects.get(pk=new_lead.pk)

    assert saved.stage.slug == "new"
    assert (saved.lead_type, saved.channel, saved.urgency) == ("patient", "web_form", "soon")
    assert (saved.first_touch_channel, saved.latest_touch_channel) == ("web_form", "web_form")
    assert (saved.utm_source, saved.utm_campaign, saved.utm_medium) == ("google", "knee", "")
    assert saved.payer == "Aetna"
    assert saved.created_at == new_lead.created_at == saved.stage_entered_at
    assert saved.updated_at is not None
    assert saved.touch_count == new_lead.touch_count == 1
    assert saved.qualification_answers == {}


def test_the_first_inquiry_is_on_the_timeline(new_lead):
    inquiry = Activity.objects.get(lead=new_lead)

    assert (inquiry.kind, inquiry.direction, inquiry.channel) == (
        ActivityKind.INQUIRY,
        Direction.INBOUND,
        "web_form",
    )
    assert inquiry.body == "Knee pain; please call."
    assert inquiry.occurred_at == new_lead.created_at
    assert inquiry.created_at is not None
    assert inquiry.details == {
        "utm_source": "google",
        "utm_campaign": "knee",
        "landing_page": "https://hospital.example.org/knee",
        "captured_via": "website form",
    }


def test_the_returned_lead_can_be_worked_at_once(new_lead):
    # The instance is marked saved: later services update it rather than insert it.
    lead_stage_change(lead=new_lead, to_stage=stage_get_by_slug("contacted"), actor=None)

    assert Lead.objects.count() == 1
    assert Lead.objects.get().stage.slug == "contacted"


def test_a_given_creation_time_is_kept():
    created_at = timezone.now() - dt.timedelta(days=3)

    lead = lead_create(
        person=PersonFactory(),
        lead_type="patient",
        channel="phone",
        service_line=ServiceLineFactory(),
        created_at=created_at,
    )

    assert Lead.objects.get(pk=lead.pk).created_at == created_at
    assert Activity.objects.get(lead=lead).occurred_at == created_at
