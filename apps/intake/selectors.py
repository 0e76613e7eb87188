"""Reads of intake keys and of the replay memory of intake requests."""

from django.db.models.functions import Lower

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role
from apps.core.reference_cache import ReferenceCache
from apps.intake.models import STAFF_CHANNEL_NAME, IdempotencyRecord, IntakeKey, intake_key_hash
from apps.people.models import Person
from apps.people.selectors import person_contact_filter


def _active_keys_by_hash() -> dict[str, IntakeKey]:
    return {key.key_hash: key for key in IntakeKey.objects.filter(is_active=True)}


# A key switched off (or deleted) stops working at once in the process that did it and
# within REFERENCE_CACHE_SECONDS in the others.
_active_keys_cache = ReferenceCache("intake-keys", _active_keys_by_hash, watch=(IntakeKey,))


def intake_keys_cache_clear() -> None:
    """For writes that send no model signal (QuerySet.update)."""
    _active_keys_cache.clear()


def intake_key_get_active(*, raw_key: str) -> IntakeKey | None:
    """The active key whose hash matches, or None. Only hashes are stored, so the lookup
    is by hash; comparing hashes leaks nothing about the key through timing.

    Active keys are cached (apps.core.reference_cache): a capture channel posting all
    day pays no query for its key. Unknown hashes are always looked up (never
    remembered), so a key made a moment ago works at once.
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


def intake_key_list() -> list[IntakeKey]:
    """Every capture channel's key, working ones first, for the intake keys page (one
    query; the staff channel's internal key is left out)."""
    return list(
        IntakeKey.objects.exclude(name=STAFF_CHANNEL_NAME)
        .select_related("created_by", "revoked_by")
        .order_by("-is_active", "name")
    )


def intake_key_get(*, key_id: int) -> IntakeKey:
    """One capture channel's key; raises IntakeKey.DoesNotExist (the staff channel's too)."""
    return IntakeKey.objects.exclude(name=STAFF_CHANNEL_NAME).get(pk=key_id)


def user_manages_intake_keys(*, user) -> bool:
    """Managers and admins make and revoke intake keys."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})


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


def user_takes_inquiries(*, user) -> bool:
    """Intake coordinators, managers and admins type in phone calls and walk-ins."""
    return user_has_role(user=user, roles={Role.INTAKE_COORDINATOR, Role.MANAGER, Role.ADMIN})
