"""The search box's leads (apps.leads.selectors.lead_search / lead_ids_search)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.leads.models import Lead
from apps.leads.selectors import lead_ids_search, lead_search
from tests.factories import LeadFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_finds_a_lead_by_its_patient_or_its_caregiver_once_each():
    patient = LeadFactory(person=PersonFactory(last_name="Okonkwo"))
    cared_for = LeadFactory(caregiver=PersonFactory(last_name="Okonkwo"))
    both = LeadFactory(
        person=PersonFactory(last_name="Okonkwo"), caregiver=PersonFactory(last_name="Okonkwo")
    )
    LeadFactory(person=PersonFactory(last_name="Lindqvist"))
    expected = {patient.pk, cared_for.pk, both.pk}

    assert {lead.pk for lead in lead_search(leads=Lead.objects.all(), query="okonk")} == expected
    found = lead_ids_search(leads=Lead.objects.all(), query="okonk", limit=10)
    assert sorted(found) == sorted(expected)


def test_a_limited_search_keeps_patients_leads_first_and_fills_up_with_caregivers():
    patients = [LeadFactory(person=PersonFactory(last_name="Okonkwo")) for _ in range(2)]
    cared_for = [LeadFactory(caregiver=PersonFactory(last_name="Okonkwo")) for _ in range(2)]

    three = lead_ids_search(leads=Lead.objects.all(), query="okonkwo", limit=3)
    two = lead_ids_search(leads=Lead.objects.all(), query="okonkwo", limit=2)

    assert len(three) == 3
    assert set(three[:2]) == {lead.pk for lead in patients}
    assert three[2] in {lead.pk for lead in cared_for}
    assert set(two) == {lead.pk for lead in patients}


def test_searches_only_the_open_leads_of_those_it_is_given():
    coordinator = UserFactory()
    mine = LeadFactory(person=PersonFactory(last_name="Okonkwo"), owner=coordinator)
    LeadFactory(person=PersonFactory(last_name="Okonkwo"))  # nobody's
    now = timezone.now()
    LeadFactory(
        person=PersonFactory(last_name="Okonkwo"),
        owner=coordinator,
        created_at=now - dt.timedelta(days=3),
        closed_at=now,
    )

    for query in ("okonkwo", mine.person.email):
        found = lead_ids_search(leads=Lead.objects.filter(owner=coordinator), query=query, limit=10)
        assert found == [mine.pk]
