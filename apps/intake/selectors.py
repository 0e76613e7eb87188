"""Reads of intake keys and of the replay memory of intake requests."""

from django.db.models.functions import Lower

from apps.intake.models import IdempotencyRecord, IntakeKey, intake_key_hash
from apps.people.models import Person
from apps.people.selectors import person_contact_filter


def intake_key_get_active(*, raw_key: str) -> IntakeKey | None:
    """The active key whose hash matches, or None. Only hashes are stored, so the lookup
    is by hash; comparing hashes leaks nothing about the key through timing."""
    try:
        return IntakeKey.objects.get(key_hash=intake_key_hash(raw_key), is_active=True)
    except IntakeKey.DoesNotExist:
        return None


def idempotency_record_find(*, intake_key: IntakeKey, key: str) -> IdempotencyRecord | None:
    """The stored first response to this Idempotency-Key of this intake key, if any."""
    try:
        return IdempotencyRecord.objects.get(intake_key=intake_key, key=key)
    except IdempotencyRecord.DoesNotExist:
        return None


def contact_is_on_file(*, phone: str = "", email: str = "") -> bool:
    """Whether anyone on file has this phone (E.164) or email (any case).

    Most inquiries come from people never seen before; for them this one indexed probe
    stands in for the open-lead match and the person match, which could only come back
    empty (a lead's person always has a row here).
    """
    contact = person_contact_filter(phone=phone, email=email)
    if contact is None:
        return False
    return Person.objects.annotate(email_lower=Lower("email")).filter(contact).exists()
