"""Creating and editing referral sources: one record per NPI, NPIs for providers only."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.choices import Role
from apps.referral_sources.models import ReferralSource
from apps.referral_sources.services import referral_source_create, referral_source_update
from apps.referral_sources.validators import npi_check_digit
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db

NPI = "123456789" + npi_check_digit("123456789")


def test_a_provider_is_created_with_its_npi():
    source = referral_source_create(actor=None, kind="provider", name="Dr. Ada Obi", npi=NPI)

    assert ReferralSource.objects.get(npi=NPI) == source


def test_a_blank_npi_is_stored_as_none_so_many_sources_can_have_none():
    first = referral_source_create(actor=None, kind="provider", name="Dr. A", npi="")
    second = referral_source_create(actor=None, kind="provider", name="Dr. B", npi="  ")

    assert (first.npi, second.npi) == (None, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "provider", "npi": NPI[:-1] + str((int(NPI[-1]) + 1) % 10)}, "npi"),
        ({"kind": "practice", "npi": NPI}, "npi"),
        ({"kind": "provider", "email": "nope"}, "email"),
        ({"kind": "provider", "colour": "blue"}, "colour"),
    ],
    ids=["check digit", "npi on a practice", "email", "unknown field"],
)
def test_invalid_sources_are_refused_by_field(fields, field):
    with pytest.raises(ValidationError) as refused:
        referral_source_create(actor=None, name="Dr. X", **fields)

    assert field in refused.value.message_dict
    assert not ReferralSource.objects.exists()


def test_a_second_source_with_an_npi_on_file_is_refused_naming_the_first():
    first = ReferralSourceFactory(npi=NPI, name="Dr. Wei Chen")

    with pytest.raises(ValidationError) as refused:
        referral_source_create(actor=None, kind="provider", name="Wei Chen MD", npi=NPI)

    assert f"#{first.pk} (Dr. Wei Chen)" in refused.value.message_dict["npi"][0]


def test_an_update_may_keep_its_own_npi_but_not_take_anothers():
    ReferralSourceFactory(npi=NPI)
    source = ReferralSourceFactory()

    referral_source_update(source=source, actor=None, npi=source.npi, specialty="Cardiology")
    with pytest.raises(ValidationError) as refused:
        referral_source_update(source=source, actor=None, npi=NPI)

    assert "npi" in refused.value.message_dict
    source.refresh_from_db()
    assert source.specialty == "Cardiology"
    assert source.npi != NPI


def test_the_owning_liaison_must_be_an_active_liaison():
    liaison = UserFactory(roles=[Role.LIAISON])
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    source = ReferralSourceFactory()

    referral_source_update(source=source, actor=None, owning_liaison=liaison)
    with pytest.raises(ValidationError) as refused:
        referral_source_update(source=source, actor=None, owning_liaison=coordinator)

    assert "owning_liaison" in refused.value.message_dict
    source.refresh_from_db()
    assert source.owning_liaison == liaison


def test_a_source_cannot_be_its_own_practice():
    source = ReferralSourceFactory()

    with pytest.raises(ValidationError) as refused:
        referral_source_update(source=source, actor=None, parent=source)

    assert "parent" in refused.value.message_dict
