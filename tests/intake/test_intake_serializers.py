"""IntakeSerializer details that the API tests do not show."""

import pytest

from apps.intake.serializers import IntakeSerializer

pytestmark = pytest.mark.django_db


def _inquiry(**fields) -> dict:
    return {
        "lead_type": "patient",
        "channel": "web_form",
        "service_line": "orthopedics",
        "person": {"phone": "(312) 555-0142"},
        **fields,
    }


@pytest.mark.parametrize("value", [42, 4.2, True, ["Ana"], {"name": "Ana"}])
def test_a_non_string_where_text_belongs_is_refused(orthopedics, value):
    serializer = IntakeSerializer(data=_inquiry(payer=value))

    assert not serializer.is_valid()
    assert serializer.errors["payer"] == ["Must be a string."]


def test_null_text_is_taken_as_empty_and_text_is_stripped(orthopedics):
    serializer = IntakeSerializer(data=_inquiry(payer=None, message="  Knee pain  "))

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["payer"] == ""
    assert serializer.validated_data["message"] == "Knee pain"


def test_text_over_its_column_is_refused_with_the_limit(orthopedics):
    serializer = IntakeSerializer(data=_inquiry(external_id="x" * 500))

    assert not serializer.is_valid()
    assert "no more than" in str(serializer.errors["external_id"][0])


def test_interleaved_validations_keep_their_own_nested_errors_and_data(orthopedics):
    bad_phone = IntakeSerializer(
        data={
            "lead_type": "patient",
            "channel": "web_form",
            "service_line": "orthopedics",
            "person": {"phone": "12"},
            "caregiver": {"phone": "(312) 555-0199"},
        }
    )
    bad_caregiver = IntakeSerializer(
        data={
            "lead_type": "patient",
            "channel": "web_form",
            "service_line": "orthopedics",
            "person": {"phone": "(312) 555-0142"},
            "caregiver": {"phone": "bad"},
        }
    )

    assert not bad_phone.is_valid()
    assert not bad_caregiver.is_valid()
    assert set(bad_phone.errors) == {"person"}
    assert set(bad_caregiver.errors) == {"caregiver"}
    assert set(bad_phone.errors["person"]) == {"phone"}
    assert set(bad_caregiver.errors["caregiver"]) == {"phone"}


def test_validation_state_does_not_carry_over_between_requests(orthopedics):
    bad = IntakeSerializer(data={"lead_type": "x", "channel": "web_form"})
    good = IntakeSerializer(
        data={
            "lead_type": "patient",
            "channel": "web_form",
            "service_line": "orthopedics",
            "person": {"phone": "(312) 555-0142"},
        }
    )

    assert not bad.is_valid()
    assert good.is_valid(), good.errors
    assert good.validated_data["person"]["phone"] == "+13125550142"
    assert set(bad.errors) == {"lead_type", "service_line"}
