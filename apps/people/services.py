"""Writes to people and their consent."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.db import insert_rows
from apps.people.models import (
    Consent,
    ConsentChannel,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Person,
)


def person_create(**details) -> Person:
    """Create a person (the details are person_build's)."""
    person = person_build(**details)
    insert_rows([person])  # every intake makes one: the lean INSERT (apps.core.db)
    return person


def person_build(
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
    """A new person, not yet saved; `phone` must already be E.164 (forms and
    serializers do that)."""
    return Person(
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email,
        date_of_birth=date_of_birth,
        preferred_language=preferred_language or "en",
        postal_code=postal_code,
        patient=patient,
    )


# One INSERT, atomic on its own; savepoint=False: inside the intake transaction it adds
# no SAVEPOINT/RELEASE round trips.
@transaction.atomic(savepoint=False)
def consent_record_from_form(**form) -> list[Consent]:
    """Record the consent boxes of an inquiry form (the form's details are
    consents_from_form's)."""
    consents = consents_from_form(**form)
    insert_rows(consents)  # every intake with ticked boxes: the lean INSERT (apps.core.db)
    return consents


def consents_from_form(
    *,
    person: Person,
    channels: dict[str, bool],
    wording: str,
    source: str,
    includes_marketing: bool = False,
    recorded_at: dt.datetime | None = None,
) -> list[Consent]:
    """The consents that the boxes of an inquiry form record, not yet saved.

    A form's consent covers care coordination about the person's own inquiry; it covers
    marketing only when the form says so (`includes_marketing`). Unticked boxes record
    nothing: silence on a form is not a withdrawal of an earlier yes.
    """
    recorded_at = recorded_at or timezone.now()
    purposes = [ConsentPurpose.CARE_COORDINATION]
    if includes_marketing:
        purposes.append(ConsentPurpose.MARKETING)
    return [
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
