"""Writes to people and their consent."""

import datetime as dt

from django.utils import timezone

from apps.accounts.models import User
from apps.people.models import (
    Consent,
    ConsentChannel,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Person,
)


def person_create(
    *,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    email: str = "",
    date_of_birth: dt.date | None = None,
    preferred_language: str = "en",
    postal_code: str = "",
    patient: Person | None = None,
) -> Person:
    """Create a person; `phone` must already be E.164 (forms and serializers do that).
    `patient` is whom a caregiver inquires for."""
    return Person.objects.create(
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email,
        date_of_birth=date_of_birth,
        preferred_language=preferred_language or "en",
        postal_code=postal_code,
        patient=patient,
    )


def consent_record_from_form(
    *,
    person: Person,
    channels: dict[str, bool],
    wording: str,
    source: str,
    includes_marketing: bool = False,
    recorded_at: dt.datetime | None = None,
) -> list[Consent]:
    """Record the consent boxes of an inquiry form (one INSERT, atomic on its own).

    A form's consent covers care coordination about the person's own inquiry; it covers
    marketing only when the form says so (`includes_marketing`). Unticked boxes record
    nothing: silence on a form is not a withdrawal of an earlier yes.
    """
    recorded_at = recorded_at or timezone.now()
    purposes = [ConsentPurpose.CARE_COORDINATION]
    if includes_marketing:
        purposes.append(ConsentPurpose.MARKETING)
    consents = [
        Consent(
            person=person,
            channel=channel,
            purpose=purpose,
            status=ConsentStatus.GRANTED,
            recorded_at=recorded_at,
            method=ConsentMethod.WEB_FORM,
            wording=wording,
            source=source,
        )
        for channel in ConsentChannel.values
        if channels.get(channel)
        for purpose in purposes
    ]
    return Consent.objects.bulk_create(consents)


def consent_withdraw(
    *,
    person: Person,
    channel: str,
    purpose: str,
    method: str,
    source: str = "",
    recorded_by: User | None = None,
) -> Consent:
    """Withdraw consent on one channel and purpose (STOP reply, unsubscribe, staff)."""
    return Consent.objects.create(
        person=person,
        channel=channel,
        purpose=purpose,
        status=ConsentStatus.WITHDRAWN,
        method=method,
        source=source,
        recorded_by=recorded_by,
    )
