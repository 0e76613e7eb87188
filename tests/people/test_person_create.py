"""person_create and consent_record_from_form: what they return is exactly what was
stored, and usable at once."""

import datetime as dt

import pytest

from apps.people.models import Consent, Person
from apps.people.services import consent_record_from_form, person_create

pytestmark = pytest.mark.django_db


def test_a_person_is_stored_as_returned():
    patient = person_create(first_name="Ada", phone="+13125550142")

    person = person_create(
        first_name="Grace",
        last_name="Hopper",
        phone="+13125550143",
        email="Grace@Example.com",
        date_of_birth=dt.date(1960, 12, 9),
        preferred_language="",
        postal_code="60614",
        patient=patient,
    )

    stored = Person.objects.get(pk=person.pk)
    assert str(stored.phone) == "+13125550143"
    assert (stored.first_name, stored.last_name, stored.email) == (
        "Grace",
        "Hopper",
        "Grace@Example.com",
    )
    assert stored.date_of_birth == dt.date(1960, 12, 9)
    assert stored.preferred_language == "en"
    assert stored.patient_id == patient.pk
    assert stored.created_at == person.created_at
    assert stored.updated_at is not None


def test_a_person_without_a_phone_stores_it_empty():
    person = person_create(first_name="Ada", email="ada@example.com")

    assert Person.objects.filter(pk=person.pk, phone="").exists()


def test_a_returned_person_is_saved_and_can_be_updated():
    person = person_create(first_name="Ada", phone="+13125550142")

    person.last_name = "Lovelace"
    person.save(update_fields=["last_name"])

    assert Person.objects.get().last_name == "Lovelace"


def test_form_consents_come_back_with_their_ids():
    person = person_create(first_name="Ada", phone="+13125550142")

    consents = consent_record_from_form(
        person=person,
        channels={"email": True, "sms": True},
        wording="You may contact me.",
        source="Intake API: website",
        includes_marketing=True,
    )

    assert len(consents) == 4
    assert {consent.pk for consent in consents} == set(Consent.objects.values_list("pk", flat=True))
    stored = Consent.objects.get(pk=consents[0].pk)
    assert (stored.channel, stored.purpose) == (consents[0].channel, consents[0].purpose)
    assert stored.wording == "You may contact me."
