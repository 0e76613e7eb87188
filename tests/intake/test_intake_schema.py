"""The intake's rules as the published schema states them, and the server agreeing."""

import re

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.intake.schema import phone_number_pattern
from apps.intake.serializers import IntakePersonSerializer, PhoneField

pytestmark = pytest.mark.django_db

US_PHONE = phone_number_pattern("US")


def _schema() -> dict:
    return APIClient().get("/api/schema/?format=json").json()


@hypothesis_settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(phone=st.from_regex(US_PHONE, fullmatch=True))
def test_every_phone_matching_the_published_pattern_is_accepted(phone):
    assert PhoneField().run_validation(phone).startswith("+1")


@pytest.mark.parametrize(
    "phone",
    ["+13125550142", "3125550142", "+18005550199"],
)
def test_the_pattern_matches_the_usual_spellings_of_a_valid_number(phone):
    assert re.fullmatch(US_PHONE, phone)


@pytest.mark.parametrize(
    "phone", ["", "1234567890", "+13125550142x", "555-0142", "+44 20 7946 0958"]
)
def test_the_pattern_refuses_what_is_not_a_plain_valid_number(phone):
    assert not re.fullmatch(US_PHONE, phone)


@pytest.mark.parametrize("phone", ["1234567890", "0012345678"])
def test_the_server_refuses_what_no_pattern_branch_allows(phone):
    serializer = IntakePersonSerializer(data={"phone": phone})

    assert not serializer.is_valid()
    assert "phone" in serializer.errors


@pytest.mark.parametrize("region", ["US", "GB", "DE"])
def test_the_pattern_is_built_for_the_hospitals_region(region):
    # Anchored, and a valid example number of the region (without spaces) matches it.
    import phonenumbers

    example = phonenumbers.example_number(region)
    national = phonenumbers.national_significant_number(example)

    assert re.fullmatch(phone_number_pattern(region), national)
    assert re.fullmatch(phone_number_pattern(region), f"+{example.country_code}{national}")


def test_the_schema_documents_the_phone_pattern_of_the_configured_region():
    person = _schema()["components"]["schemas"]["IntakePersonRequest"]

    number, blank = person["properties"]["phone"]["oneOf"]

    assert number["pattern"] == phone_number_pattern(settings.PHONENUMBER_DEFAULT_REGION)
    assert blank == {"type": "string", "maxLength": 0} or blank.get("enum") == [""]


def test_the_schema_asks_for_a_phone_or_an_email_for_the_person_or_the_caregiver():
    inquiry = _schema()["components"]["schemas"]["IntakeRequest"]

    assert [branch["required"] for branch in inquiry["anyOf"]] == [["person"], ["caregiver"]]
    reachable = inquiry["anyOf"][0]["properties"]["person"]["anyOf"]
    assert [branch["required"] for branch in reachable] == [["phone"], ["email"]]


def test_free_text_sent_to_the_api_is_documented_without_nul():
    inquiry = _schema()["components"]["schemas"]["IntakeRequest"]

    assert inquiry["properties"]["message"]["pattern"] == r"^[^\x00]*$"
    assert "pattern" not in inquiry["properties"]["landing_page"]  # format: uri says it
