"""IntakeSerializer details that the API tests do not show."""

import pytest

from apps.intake.serializers import IntakeSerializer

pytestmark = pytest.mark.django_db


def test_each_serializer_gets_its_own_bound_fields():
    """Fields are copied shallowly per instance (for speed); binding must not leak."""
    first, second = IntakeSerializer(), IntakeSerializer()

    assert first.fields["person"] is not second.fields["person"]
    assert first.fields["person"].parent is first
    assert second.fields["person"].fields["phone"].parent is second.fields["person"]
    assert first.fields["person"].fields["phone"] is not second.fields["person"].fields["phone"]


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
