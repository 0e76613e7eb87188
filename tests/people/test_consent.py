import datetime as dt

import pytest
from django.utils import timezone

from apps.people.models import Consent
from apps.people.selectors import consent_in_force, consent_is_granted, person_find_match
from apps.people.services import consent_record_from_form, consent_withdraw
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

WORDING = "Yes, Riverside Health may contact me about my inquiry."


def test_form_consent_covers_care_coordination_only_on_the_ticked_channels():
    person = PersonFactory()
    consent_record_from_form(
        person=person,
        channels={"email": True, "sms": False, "phone": True},
        wording=WORDING,
        source="intake key: website",
    )
    granted = set(Consent.objects.filter(person=person).values_list("channel", "purpose"))
    assert granted == {("email", "care_coordination"), ("phone", "care_coordination")}
    assert not consent_is_granted(person=person, channel="email", purpose="marketing")
    assert not consent_is_granted(person=person, channel="sms", purpose="care_coordination")


def test_form_that_says_marketing_also_grants_marketing_with_the_exact_wording():
    person = PersonFactory()
    consent_record_from_form(
        person=person,
        channels={"email": True},
        wording=WORDING + " And send me event invitations.",
        source="event signup",
        includes_marketing=True,
    )
    consent = consent_in_force(person=person, channel="email", purpose="marketing")
    assert consent.status == "granted"
    assert consent.wording == WORDING + " And send me event invitations."
    assert consent.method == "web_form"
    assert consent.source == "event signup"


def test_withdrawal_is_the_consent_in_force_and_the_grant_stays_in_history():
    person = PersonFactory()
    consent_record_from_form(
        person=person,
        channels={"sms": True},
        wording=WORDING,
        source="website",
        recorded_at=timezone.now() - dt.timedelta(days=3),
    )
    consent_withdraw(person=person, channel="sms", purpose="care_coordination", method="sms_reply")
    assert not consent_is_granted(person=person, channel="sms", purpose="care_coordination")
    assert Consent.objects.filter(person=person, channel="sms").count() == 2


def test_unticked_box_on_a_later_form_does_not_withdraw_an_earlier_yes():
    person = PersonFactory()
    consent_record_from_form(person=person, channels={"sms": True}, wording=WORDING, source="a")
    consent_record_from_form(person=person, channels={"sms": False}, wording=WORDING, source="b")
    assert consent_is_granted(person=person, channel="sms", purpose="care_coordination")


@pytest.mark.parametrize(
    ("first_name", "phone", "email", "date_of_birth", "matches"),
    [
        ("Maria", "+13125550100", "", None, True),
        ("MARIA", "", "Maria.Lopez@Example.COM", None, True),
        ("Maria", "+13125550100", "", dt.date(1980, 5, 1), True),
        ("Maria", "+13125550100", "", dt.date(1990, 1, 1), False),  # conflicting birth date
        ("Jorge", "+13125550100", "", None, False),  # shared family phone, other person
        ("Maria", "+13125559999", "other@example.com", None, False),
    ],
)
def test_person_match_needs_same_first_name_and_contact(
    first_name, phone, email, date_of_birth, matches
):
    maria = PersonFactory(
        first_name="Maria",
        phone="+13125550100",
        email="maria.lopez@example.com",
        date_of_birth=dt.date(1980, 5, 1),
    )
    found = person_find_match(
        first_name=first_name, phone=phone, email=email, date_of_birth=date_of_birth
    )
    assert (found == maria) is matches
