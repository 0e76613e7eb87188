"""Reads of intake keys and of the replay memory of intake requests."""

from django.db.models.functions import Lower

from apps.core.reference_cache import ReferenceCache
from apps.intake.models import IdempotencyRecord, IntakeKey, intake_key_hash
from apps.people.models import Person
from apps.people.selectors import person_contact_filter


def _active_keys_by_hash() -> dict[str, IntakeKey]:
    return {key.key_hash: key for key in IntakeKey.objects.filter(is_active=True)}


# A key switched off (or deleted) stops working at once in the process that did it and
# within REFERENCE_CACHE_SECONDS in the others.
_active_keys_cache = ReferenceCache(_active_keys_by_hash, watch=(IntakeKey,))


def intake_key_get_active(*, raw_key: str) -> IntakeKey | None:
    """The active key whose hash matches, or None. Only hashes are stored, so the lookup
    is by hash; comparing hashes leaks nothing about the key through timing.

    Active keys are read from a per-process copy (apps.core.reference_cache): a capture
    channel posting all day pays no query for its key. Unknown hashes are always looked
    up (never remembered), so a key made a moment ago works at once. The same instance
    is returned for every request of a key, which keeps `last_used_at` current for
    `intake_key_mark_used`.
    """
    key_hash = intake_key_hash(raw_key)
    intake_key = _active_keys_cache.get().get(key_hash)
    if intake_key is not None:
        return intake_key
    try:
        intake_key = IntakeKey.objects.get(key_hash=key_hash, is_active=True)
    except IntakeKey.DoesNotExist:
        return None
    _active_keys_cache.clear()  # new since the copy was made: reload next time
    return intake_key


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
