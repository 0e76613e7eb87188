"""IntakeSerializer details that the API tests do not show."""

import pytest

from apps.intake.serializers import IntakeSerializer

pytestmark = pytest.mark.django_db


def test_the_field_tree_is_built_once_and_shared():
    """Building ~45 fields per request was a tenth of an intake's CPU; they keep no
    per-request state, so every serializer uses the same tree."""
    first, second = IntakeSerializer(), IntakeSerializer()

    assert first.fields is second.fields
    assert first.fields["person"] is not first.fields["caregiver"]


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
