"""person_search: what staff type in a search box, matched through an index."""

import pytest

from apps.people.selectors import consents_in_force, person_search, phone_to_e164
from tests.factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("(312) 555-0147", "+13125550147"),
        ("312.555.0147", "+13125550147"),
        ("1 312 555 0147", "+13125550147"),
        ("+44 20 7946 0958", "+442079460958"),
        ("555-0147", None),
        ("12345", None),
    ],
)
def test_phone_to_e164(typed, e164):
    assert phone_to_e164(typed) == e164


@pytest.fixture
def maria(db):
    PersonFactory(first_name="Mario", last_name="Delgado-Ruiz", email="other@example.com")
    return PersonFactory(
        first_name="María", last_name="Delgado", phone="+13125550147", email="Maria.D@Example.com"
    )


@pytest.mark.parametrize(
    "typed",
    ["3125550147", "MARIA.D@example.com", "maría delgado", "Delgado María", "delgado, marí"],
)
def test_search_finds_the_one_person(maria, typed):
    assert list(person_search(query=typed)) == [maria]


def test_one_word_matches_last_names_starting_with_it(maria):
    assert {p.last_name for p in person_search(query="delg")} == {"Delgado", "Delgado-Ruiz"}


@pytest.mark.parametrize("typed", ["", "   ", "555-01", "maria.d@", "ruiz"])
def test_search_finds_nobody_for_partial_contacts_or_other_names(maria, typed):
    assert list(person_search(query=typed)) == []


def test_search_wildcards_are_literal(maria):
    assert list(person_search(query="del_ado")) == []
    assert list(person_search(query="%")) == []


def test_consents_in_force_keeps_the_newest_event_per_channel_and_purpose():
    person = PersonFactory()
    old = ConsentFactory(person=person, channel="sms")
    newest = ConsentFactory(person=person, channel="sms", status="withdrawn", method="sms_reply")
    marketing = ConsentFactory(person=person, channel="email", purpose="marketing")

    in_force = consents_in_force(person_ids=[person.pk, PersonFactory().pk])

    assert in_force[person.pk] == {
        "care_coordination": {"sms": newest},
        "marketing": {"email": marketing},
    }
    assert old.pk != newest.pk
