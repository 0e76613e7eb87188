"""Bodies and row counts shared by the intake tests. Synthetic people only."""

import copy

from faker import Faker

from apps.intake.models import IdempotencyRecord
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.referral_sources.models import ReferralSource

CONSENT_WORDING = "I agree that the hospital may contact me by the means I ticked about my inquiry."

_fake = Faker()
_fake.seed_instance(2)
PATIENT_FIRST_NAME = _fake.first_name()
PATIENT_LAST_NAME = _fake.last_name()

_PAYLOAD = {
    "lead_type": "patient",
    "channel": "web_form",
    "service_line": "orthopedics",
    "location": "riverside",
    "urgency": "soon",
    "person": {
        "first_name": PATIENT_FIRST_NAME,
        "last_name": PATIENT_LAST_NAME,
        "phone": "(312) 555-0142",
        "email": "Patient.One@Example.com",
        "date_of_birth": "1961-04-09",
        "preferred_language": "es",
        "postal_code": "60601",
    },
    "payer": "Blue Cross PPO",
    "condition_interest": "Knee replacement",
    "message": "Knee pain for a year; would like a consult.",
    "consent": {"email": True, "sms": False, "phone": True, "text": CONSENT_WORDING},
    "utm": {
        "source": "google",
        "medium": "cpc",
        "campaign": "ortho-knee",
        "term": "knee surgeon",
        "content": "ad-2",
    },
    "landing_page": "https://hospital.example.org/orthopedics/knee",
    "external_id": "wf-1001",
}


def intake_payload() -> dict:
    """A complete, valid inquiry, as the hospital's web form posts it."""
    return copy.deepcopy(_PAYLOAD)


def minimal_payload(**person) -> dict:
    """Only what the contract requires: lead type, channel, service line, a contact."""
    return {
        "lead_type": "patient",
        "channel": "web_form",
        "service_line": "orthopedics",
        "person": {"first_name": _fake.first_name(), **person},
    }


def saved_counts() -> dict[str, int]:
    """Rows an intake can write, to show that a refused one wrote none."""
    return {
        model.__name__: model.objects.count()
        for model in (Person, Lead, Consent, Activity, ReferralSource, IdempotencyRecord)
    }
