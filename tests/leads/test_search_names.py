"""A lead's copy of its people's names for the queue's search (Lead.Meta.triggers and the
person_names_to_leads trigger in apps.leads.models), kept by the database whatever writes
the lead or the person."""

import pytest
from django.db import connection

from apps.leads.models import Lead
from apps.leads.selectors import lead_ids_search
from apps.people.models import Person
from tests.factories import LeadFactory, PersonFactory

pytestmark = pytest.mark.django_db


def names(lead: Lead) -> tuple[str, str, str, str]:
    return tuple(
        Lead.objects.filter(pk=lead.pk).values_list(
            "patient_last_name_lower",
            "patient_first_name_lower",
            "caregiver_last_name_lower",
            "caregiver_first_name_lower",
        )[0]
    )


def found(query: str) -> list[int]:
    return sorted(lead_ids_search(leads=Lead.objects.all(), query=query, limit=50))


def test_a_new_lead_carries_its_patients_and_caregivers_names_lower_cased():
    lead = LeadFactory(
        person=PersonFactory(first_name="Ángela", last_name="Muñoz-Díaz"),
        caregiver=PersonFactory(first_name="Tomás", last_name="O'Neill"),
    )
    alone = LeadFactory(person=PersonFactory(first_name="Ana", last_name="Rivera"))

    assert names(lead) == ("muñoz-díaz", "ángela", "o'neill", "tomás")
    assert names(alone) == ("rivera", "ana", "", "")


def test_a_renamed_patient_is_found_under_the_new_name_only():
    patient = PersonFactory(first_name="Ana", last_name="Rivera")
    leads = [LeadFactory(person=patient), LeadFactory(person=patient)]

    Person.objects.filter(pk=patient.pk).update(last_name="Okafor-Rivera")

    assert found("okafor") == sorted(lead.pk for lead in leads)
    assert found("rivera") == []
    assert found("ana okafor") == sorted(lead.pk for lead in leads)


def test_a_renamed_caregiver_is_found_under_the_new_name():
    caregiver = PersonFactory(first_name="Sam", last_name="Lindqvist")
    lead = LeadFactory(caregiver=caregiver)

    caregiver.first_name = "Samantha"
    caregiver.save()

    assert names(lead)[2:] == ("lindqvist", "samantha")
    assert found("samantha lindqvist") == [lead.pk]


def test_changing_or_removing_the_caregiver_changes_the_names():
    lead = LeadFactory(caregiver=PersonFactory(last_name="Lindqvist"))

    lead.caregiver = PersonFactory(first_name="Mei", last_name="Tanaka")
    lead.save()
    assert names(lead)[2:] == ("tanaka", "mei")

    Lead.objects.filter(pk=lead.pk).update(caregiver=None)
    assert names(lead)[2:] == ("", "")
    assert found("tanaka") == []


def test_saving_a_lead_loaded_before_the_rename_keeps_the_new_name():
    patient = PersonFactory(last_name="Rivera")
    lead = Lead.objects.get(pk=LeadFactory(person=patient).pk)  # holds "rivera"

    Person.objects.filter(pk=patient.pk).update(last_name="Okafor")
    lead.message = "Called back"
    lead.save()  # writes every column, the old name among them

    assert names(lead)[0] == "okafor"


def test_names_written_by_hand_are_put_right():
    lead = LeadFactory(person=PersonFactory(last_name="Rivera"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET patient_last_name_lower = 'someone else' WHERE id = %s",
            [lead.pk],
        )
    assert names(lead)[0] == "rivera"


def test_the_copy_is_not_a_change_to_the_lead_in_its_history():
    patient = PersonFactory(last_name="Rivera")
    lead = LeadFactory(person=patient)
    events_before = Lead.pgh_event_model.objects.filter(pgh_obj=lead).count()

    patient.last_name = "Okafor"
    patient.save()

    # The rename is the person's own change, recorded there once; the lead has none.
    assert Lead.pgh_event_model.objects.filter(pgh_obj=lead).count() == events_before
    assert Person.pgh_event_model.objects.filter(pgh_obj=patient, last_name="Okafor").count() == 1


def test_an_email_or_a_phone_still_finds_the_person_first():
    lead = LeadFactory(
        person=PersonFactory(email="ana.rivera@example.com", phone="+13125550188"),
        caregiver=PersonFactory(email="sam@example.org"),
    )
    assert found("Ana.Rivera@Example.com") == [lead.pk]
    assert found("(312) 555-0188") == [lead.pk]
    assert found("sam@example.org") == [lead.pk]
