"""Who an inquiry is about and from: the person, their caregiver and the referral source,
found on file or made. Steps of intake_submit (apps.intake.services), inside its
transaction and under its contact lock."""

import datetime as dt
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.core.db import advisory_xact_lock
from apps.intake.selectors import contact_is_on_file
from apps.leads.choices import LeadType
from apps.people.models import Person
from apps.people.selectors import person_find_match
from apps.people.services import person_create
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.services import referral_source_create


class ContactDetails(TypedDict, total=False):
    """A person as the intake contract describes them; phone already in E.164."""

    first_name: str
    last_name: str
    phone: str
    email: str
    date_of_birth: dt.date | None
    preferred_language: str
    postal_code: str


class ReferralSourceDetails(TypedDict, total=False):
    npi: str
    name: str
    organization: str


def person_find_or_create(*, details: ContactDetails, patient: Person | None = None) -> Person:
    existing = person_find_match(
        first_name=details.get("first_name", ""),
        phone=details.get("phone", ""),
        email=details.get("email", ""),
        date_of_birth=details.get("date_of_birth"),
    )
    if existing is not None:
        return existing
    return person_create_from_details(details=details, patient=patient)


def person_create_from_details(*, details: ContactDetails, patient: Person | None = None) -> Person:
    return person_create(**_person_fields(details), patient=patient)


def _person_fields(details: ContactDetails) -> dict[str, Any]:
    return {
        "first_name": details.get("first_name", ""),
        "last_name": details.get("last_name", ""),
        "phone": details.get("phone", ""),
        "email": details.get("email", ""),
        "date_of_birth": details.get("date_of_birth"),
        "preferred_language": details.get("preferred_language", "en"),
        "postal_code": details.get("postal_code", ""),
    }


def caregiver_find_or_create(*, details: ContactDetails, patient: Person) -> Person | None:
    # Most caregivers are new too: one probe instead of the person match when not on file.
    if contact_is_on_file(phone=details.get("phone", ""), email=details.get("email", "")):
        carer = person_find_or_create(details=details, patient=patient)
    else:
        carer = person_create_from_details(details=details, patient=patient)
    if carer.pk == patient.pk:
        # The form named the patient twice; a person is not their own caregiver.
        return None
    if carer.patient_id is None:
        # A known person inquiring for someone for the first time: link them. A link to
        # another patient is kept; the lead records whom they inquired for this time.
        Person.objects.filter(pk=carer.pk, patient__isnull=True).update(patient=patient)
        carer.patient = patient
    return carer


def referral_source_find_or_create(
    *, details: ReferralSourceDetails, lead_type: str
) -> ReferralSource | None:
    """The referral source named on the form, made if new.

    An NPI identifies a provider whatever name was typed, so it alone decides the match
    (its unique index settles two simultaneous first sightings). Without one, the same
    name at the same organization, in any case, is taken to be the same source. New
    sources go through referral_source_create, which keeps the NPI rules in one place.
    """
    npi = details.get("npi", "")
    name = details.get("name", "")
    organization = details.get("organization", "")
    if npi:
        source = ReferralSource.objects.filter(npi=npi).first()
        if source is not None:
            return source
        try:
            return referral_source_create(
                actor=None,
                kind=ReferralSourceKind.PROVIDER,
                name=name or organization or f"Provider with NPI {npi}",
                npi=npi,
                organization_name=organization if name else "",
            )
        except ValidationError:
            # Another intake named this NPI first, a moment ago (the unique index
            # made us wait for it): theirs is the record.
            source = ReferralSource.objects.filter(npi=npi).first()
            if source is None:
                raise
            return source
    if not (name or organization):
        return None

    advisory_xact_lock("intake-referral-source", f"{name.casefold()}|{organization.casefold()}")
    if name:
        match = Q(name__iexact=name, organization_name__iexact=organization)
    else:
        match = Q(name__iexact=organization)
    source = ReferralSource.objects.filter(match).order_by("id").first()
    if source is not None:
        return source
    if lead_type == LeadType.EMPLOYER:
        kind = ReferralSourceKind.EMPLOYER
    elif name:
        kind = ReferralSourceKind.PROVIDER
    else:
        kind = ReferralSourceKind.ORGANIZATION
    return referral_source_create(
        actor=None,
        kind=kind,
        name=name or organization,
        organization_name=organization if name else "",
    )
