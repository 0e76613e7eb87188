"""The person's phone field: numbers the intake has checked (E164) are stored as given
and read back as phone numbers; anything else is parsed as the library always did."""

import pytest
from phonenumber_field.phonenumber import PhoneNumber

from apps.people.fields import E164
from apps.people.models import Person

pytestmark = pytest.mark.django_db


def _stored_phone(person: Person) -> str:
    return Person.objects.filter(pk=person.pk).values_list("phone", flat=True).get().as_e164


def test_a_checked_number_is_stored_as_given():
    person = Person(first_name="Ana", phone=E164("+13125550142"))
    person.save()

    assert _stored_phone(person) == "+13125550142"


def test_a_checked_number_reads_back_as_a_phone_number():
    person = Person(first_name="Ana", phone=E164("+13125550142"))

    assert isinstance(person.phone, PhoneNumber)
    assert person.phone.as_national == "(312) 555-0142"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("312.555.0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        (PhoneNumber.from_string("312-555-0142", region="US"), "+13125550142"),
    ],
)
def test_any_other_number_is_parsed_as_before(typed, stored):
    person = Person.objects.create(first_name="Bo", phone=typed)

    assert _stored_phone(person) == stored
    assert isinstance(person.phone, PhoneNumber)


def test_a_checked_number_finds_the_person_in_any_format():
    person = Person.objects.create(first_name="Cy", phone="(312) 555-0199")

    for phone in (E164("+13125550199"), "312-555-0199"):
        assert Person.objects.filter(phone=phone).get() == person
