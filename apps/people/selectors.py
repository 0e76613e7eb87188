"""Reads of people and their consent."""

from django.db.models import Q
from django.db.models.functions import Lower

from apps.people.models import Consent, ConsentStatus, Person


def person_contact_filter(*, phone: str = "", email: str = "") -> Q | None:
    """A filter matching people by E.164 phone or by email in any case.

    `Lower("email")` matches the person_email_lower_idx index; `email__iexact` would
    compile to UPPER() and miss it (shared/PERFORMANCE.md).
    """
    condition = Q()
    if phone:
        condition |= Q(phone=phone)
    if email:
        condition |= Q(email_lower=email.lower())
    return condition or None


def person_find_match(
    *, first_name: str, phone: str = "", email: str = "", date_of_birth=None
) -> Person | None:
    """An existing person who is surely the same one: same first name and same phone or
    email, and no conflicting birth date. Looser matches are left to staff to merge."""
    contact = person_contact_filter(phone=phone, email=email)
    if contact is None:
        return None
    candidates = (
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(contact)
        .order_by("-created_at", "-id")[:20]
    )
    for person in candidates:
        if person.first_name.casefold() != first_name.casefold():
            continue
        if date_of_birth and person.date_of_birth and person.date_of_birth != date_of_birth:
            continue
        return person
    return None


def consent_in_force(*, person: Person, channel: str, purpose: str) -> Consent | None:
    """The newest consent event for a channel and purpose, or None if never asked."""
    return (
        Consent.objects.filter(person=person, channel=channel, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )


def consent_is_granted(*, person: Person, channel: str, purpose: str) -> bool:
    consent = consent_in_force(person=person, channel=channel, purpose=purpose)
    return consent is not None and consent.status == ConsentStatus.GRANTED
