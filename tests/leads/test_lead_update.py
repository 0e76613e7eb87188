import pytest
from django.core.exceptions import ValidationError

from apps.leads.services import lead_update
from tests.factories import LeadFactory, ReferralSourceFactory

pytestmark = pytest.mark.django_db


def test_the_first_referral_source_of_a_lead_stays():
    first = ReferralSourceFactory()
    lead = LeadFactory(referral_source=first)
    with pytest.raises(ValidationError) as raised:
        lead_update(lead=lead, actor=None, referral_source=ReferralSourceFactory())
    assert "referral_source" in raised.value.message_dict
    lead.refresh_from_db()
    assert lead.referral_source == first


def test_a_lead_without_a_referral_source_can_be_given_one():
    lead = LeadFactory(referral_source=None)
    source = ReferralSourceFactory()
    lead_update(lead=lead, actor=None, referral_source=source)
    lead.refresh_from_db()
    assert lead.referral_source == source
