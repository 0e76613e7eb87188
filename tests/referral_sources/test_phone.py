"""A referral source's phone is a number someone can call back, written one way."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.referral_sources.models import ReferralSourceKind
from apps.referral_sources.services import referral_source_create, referral_source_update
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(312) 555-0142", "(312) 555-0142"),
        ("312.555.0142", "(312) 555-0142"),
        ("+1 312 555 0142 x204", "(312) 555-0142 ext. 204"[:20]),
        ("", ""),
    ],
)
def test_a_phone_is_stored_in_one_format(typed, stored):
    source = referral_source_create(
        actor=None, kind=ReferralSourceKind.PRACTICE, name="Lakeview", phone=typed
    )
    source.refresh_from_db()
    assert source.phone == stored


@pytest.mark.parametrize("typed", ["call the front desk", "555-1234", "12"])
def test_a_phone_that_is_not_a_number_is_refused_by_field(typed):
    source = ReferralSourceFactory(phone="(312) 555-0142")
    with pytest.raises(ValidationError) as error:
        referral_source_update(source=source, actor=None, phone=typed)
    assert "phone" in error.value.message_dict
    source.refresh_from_db()
    assert source.phone == "(312) 555-0142"


def test_the_edit_page_shows_the_phone_error_beside_the_field(client):
    manager = UserFactory(roles=["manager"])
    source = ReferralSourceFactory(name="Lakeview", territory="North Shore")
    client.force_login(manager)
    page = client.get(reverse("referrals:source_edit", args=[source.pk]))
    data = {
        name: value if value is not None else ""
        for name, value in page.context["form"].initial.items()
    }
    data["phone"] = "call the front desk"
    response = client.post(reverse("referrals:source_edit", args=[source.pk]), data)
    assert response.status_code == 200
    assert "Enter a phone number" in response.context["form"].errors["phone"][0]
