"""The person's phone (django-phonenumber-field): stored as E.164 whatever the format it
was typed in, read back as a phone number, and found by any format."""

import pytest
from phonenumber_field.phonenumber import PhoneNumber

from apps.people.models import Person

pytestmark = pytest.mark.django_db


def _stored_phone(person: Person) -> str:
    return Person.objects.filter(pk=person.pk).values_list("phone", flat=True).get().as_e164


@pytest.mark.parametrize(
    "typed",
    [
        "(312) 555-0142",
        "312.555.0142",
        "+1 312 555 0142",
        "+13125550142",
        PhoneNumber.from_string("312-555-0142", region="US"),
    ],
)
def test_a_number_in_any_format_is_stored_as_e164(typed):
    person = Person.objects.create(first_name="Bo", phone=typed)

    assert _stored_phone(person) == "+13125550142"
    assert isinstance(person.phone, PhoneNumber)


def test_a_number_finds_the_person_in_any_format():
    person = Person.objects.create(first_name="Cy", phone="(312) 555-0199")

    for phone in ("+13125550199", "312-555-0199"):
        assert Person.objects.filter(phone=phone).get() == person
