"""Writes of the public intake: keys for capture channels, and one inquiry end to end.

An inquiry becomes a person, maybe a caregiver and a referral source, a lead (or a new
touch on the person's open lead), consent events and the idempotency record, all in one
transaction: a failure anywhere leaves nothing behind for the vendor's retry to trip on.
"""

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypedDict

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.alerts.services import lead_repeat_inquiry_alert
from apps.core.db import advisory_xact_locks
from apps.facilities.models import Location
from apps.intake.contacts import (
    ContactDetails,
    ReferralSourceDetails,
    caregiver_find_or_create,
    person_create_from_details,
    person_find_or_create,
    referral_source_find_or_create,
)
from apps.intake.models import IdempotencyRecord, IntakeKey, intake_key_hash
from apps.intake.repeat_inquiry import lead_find_by_caregiver, repeat_inquiry_additions
from apps.intake.selectors import (
    contact_is_on_file,
    idempotency_record_find,
    intake_keys_cache_clear,
)
from apps.leads.choices import Urgency
from apps.leads.models import Lead
from apps.leads.selectors import lead_find_open_for_contact
from apps.leads.services import lead_add_touch, lead_create
from apps.people.models import Person
from apps.people.services import consent_record_from_form
from apps.pipeline.selectors import stages_by_id
from apps.routing.services import lead_routing_queue
from apps.safety.models import LeadSafetyFlag
from apps.safety.services import lead_safety_screen, safety_answer
from apps.servicelines.models import ServiceLine
from apps.sla.services import lead_sla_urgency_raised

KEY_PREFIX_LENGTH = 8
# last_used_at is for "is this vendor still sending?", not an audit trail: writing it on
# every request would turn each intake into one more UPDATE on a hot row.
KEY_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
CONSENT_CHANNELS = ("email", "sms", "phone")


class ConsentTicks(TypedDict, total=False):
    """The consent boxes ticked, the wording shown, and whether it covered marketing."""

    email: bool
    sms: bool
    phone: bool
    marketing: bool
    text: str


@dataclass(frozen=True)
class IntakeResult:
    """What one intake did: the answer owed to the caller, and the lead for what follows
    (None for a replay, which touched nothing)."""

    status_code: int
    body: dict[str, Any]
    lead: Lead | None
    duplicate: bool
    replayed: bool = False


@dataclass(frozen=True)
class Touch:
    """How and where this inquiry came in: the same for a new lead and a repeat."""

    channel: str
    message: str
    utm: dict[str, str]
    landing_page: str
    captured_via: str


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before, with a different request body."""


# --- Keys -------------------------------------------------------------------


@transaction.atomic
def intake_key_create(*, name: str, actor: User | None = None) -> tuple[IntakeKey, str]:
    """Make a key for one capture channel. Returns the key row and the raw key, which is
    never stored and must be shown to the caller once. Raises ValidationError keyed by
    `name` if the name is taken (a revoked key keeps its name: choose another)."""
    raw_key = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():  # a savepoint: a taken name leaves the caller's work intact
            intake_key = IntakeKey.objects.create(
                name=name,
                prefix=raw_key[:KEY_PREFIX_LENGTH],
                key_hash=intake_key_hash(raw_key),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError({"name": f'An intake key named "{name}" already exists.'}) from exc
    return intake_key, raw_key


@transaction.atomic
def intake_key_revoke(*, intake_key: IntakeKey, actor: User) -> bool:
    """Switch a key off for good; False when it was off already.

    Side effect: the active-key cache is cleared (by the save's signal, now and again
    at commit), so this process refuses the key at its next request and every other
    process within REFERENCE_CACHE_SECONDS (apps.core.reference_cache).
    """
    locked = IntakeKey.objects.select_for_update().get(pk=intake_key.pk)
    if not locked.is_active:
        return False
    locked.is_active = False
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["is_active", "revoked_at", "revoked_by"])
    intake_key.is_active, intake_key.revoked_at = False, locked.revoked_at
    return True


def intake_key_mark_used(*, intake_key: IntakeKey, now: dt.datetime | None = None) -> None:
    """Note that a key was used, at most about once a minute.

    The conditional UPDATE (one statement, atomic on its own) lets only the first of many
    concurrent requests write; the others find the row fresh and change nothing.
    """
    now = now or timezone.now()
    stale_before = now - KEY_LAST_USED_RESOLUTION
    if intake_key.last_used_at is not None and intake_key.last_used_at >= stale_before:
        return
    written = (
        IntakeKey.objects.filter(pk=intake_key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before))
        .update(last_used_at=now)
    )
    intake_key.last_used_at = now
    if written:
        intake_keys_cache_clear()  # the cached key would still carry the old time


# --- Idempotency ------------------------------------------------------------


def intake_request_fingerprint(payload: Any) -> str:
    """A hash of the request body as parsed, so key order and spacing do not matter."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def intake_replay(*, record: IdempotencyRecord, request_fingerprint: str) -> IntakeResult:
    """The first answer to an Idempotency-Key, for a repeat of the same request.

    Raises IdempotencyKeyReused when the key comes back with another body: replaying the
    first answer would tell the caller a different inquiry was saved.
    """
    if record.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused
    return IntakeResult(
        status_code=record.status_code,
        body=record.response_body,
        lead=None,
        duplicate=bool(record.response_body.get("duplicate")),
        replayed=True,
    )


# --- The inquiry ------------------------------------------------------------


@dataclass(frozen=True)
class _Taken:
    """What taking the inquiry did to the lead: a repeat's touch or a new lead."""

    lead: Lead
    carer: Person | None  # the caregiver who wrote, if one was named
    flag: LeadSafetyFlag | None
    duplicate: bool


@transaction.atomic
def intake_submit(
    *,
    intake_key: IntakeKey,
    lead_type: str,
    channel: str,
    service_line: ServiceLine,
    person: ContactDetails | None = None,
    caregiver: ContactDetails | None = None,
    location: Location | None = None,
    urgency: str = Urgency.ROUTINE,
    referral_source: ReferralSourceDetails | None = None,
    payer: str = "",
    condition_interest: str = "",
    message: str = "",
    consent: ConsentTicks | None = None,
    utm: dict[str, str] | None = None,
    landing_page: str = "",
    external_id: str = "",
    idempotency_key: str = "",
    request_fingerprint: str = "",
) -> IntakeResult:
    """Take in one inquiry from a capture channel, all or nothing.

    A person with an open lead for this service line (same phone, or same email in any
    case) gets a new touch on that lead (200, duplicate); otherwise a new lead opens at
    stage New (201) and its routing is queued for after commit. Consent boxes ticked on
    the form are recorded for whoever filled it in, every time. With an
    `idempotency_key`, the answer is stored in the same transaction and a repeat of the
    key replays it (IdempotencyKeyReused if the body differs). Side effects: rows in
    people, referral sources, leads, activities, consents and idempotency records; a
    repeat-inquiry alert; routing queued on commit.
    """
    # The change history names the capture channel that wrote these rows (the key's
    # name, nothing about the person); the request's history context is already open.
    pghistory.context(intake_key=intake_key.name)
    person = person or {}
    _intake_lock(intake_key=intake_key, person=person, caregiver=caregiver, key=idempotency_key)
    if idempotency_key and (
        record := idempotency_record_find(intake_key=intake_key, key=idempotency_key)
    ):
        return intake_replay(record=record, request_fingerprint=request_fingerprint)

    touch = Touch(channel, message, utm or {}, landing_page, captured_via=intake_key.name)
    person_on_file, lead = _open_lead_match(
        person=person, caregiver=caregiver, service_line=service_line
    )
    if lead is not None:
        taken = _repeat_inquiry_take(
            lead=lead,
            caregiver=caregiver,
            touch=touch,
            urgency=urgency,
            referral_source=referral_source,
            lead_type=lead_type,
            condition_interest=condition_interest,
        )
    else:
        taken = _new_inquiry_take(
            person=person,
            person_on_file=person_on_file,
            caregiver=caregiver,
            referral_source=referral_source,
            touch=touch,
            lead_type=lead_type,
            service_line=service_line,
            location=location,
            urgency=urgency,
            payer=payer,
            condition_interest=condition_interest,
            external_id=external_id,
        )
    _consent_ticks_record(consent=consent, taken=taken, intake_key=intake_key)
    result = _intake_result(
        taken=taken, service_line=service_line, person=person, caregiver=caregiver
    )
    _idempotency_record_store(
        result=result, intake_key=intake_key, key=idempotency_key, fingerprint=request_fingerprint
    )
    return result


def _intake_lock(
    *,
    intake_key: IntakeKey,
    person: ContactDetails,
    caregiver: ContactDetails | None,
    key: str,
) -> None:
    """Serialize the intakes that could race each other, until the transaction ends.

    Matching and reuse hinge on the person's contact (the caregiver's when the person has
    none). Locking it makes "find, else create" safe: two simultaneous posts of one person
    open one lead. With an Idempotency-Key, two copies of one request arriving together
    are serialized too: the second waits, then finds the first one's record instead of
    saving the inquiry twice. All in one statement, in a fixed order.
    """
    contact = person if _reachable(person) else (caregiver or {})
    lock_keys = [("intake-contact", lock_key) for lock_key in _contact_lock_keys(contact)]
    if key:
        lock_keys.append(("intake-idempotency", f"{intake_key.pk}:{key}"))
    advisory_xact_locks(lock_keys)


def _open_lead_match(
    *, person: ContactDetails, caregiver: ContactDetails | None, service_line: ServiceLine
) -> tuple[bool, Lead | None]:
    """Whether the person's contact is on file, and the open lead this inquiry repeats:
    the person's for this service line, else the one their caregiver wrote about."""
    person_on_file = _reachable(person) and contact_is_on_file(
        phone=person.get("phone", ""), email=person.get("email", "")
    )
    lead = (
        lead_find_open_for_contact(
            service_line=service_line,
            phone=person.get("phone", ""),
            email=person.get("email", ""),
        )
        if person_on_file
        else None
    )
    if lead is None and caregiver and _reachable(caregiver):
        lead = lead_find_by_caregiver(caregiver=caregiver, person=person, service_line=service_line)
    return person_on_file, lead


def _repeat_inquiry_take(
    *,
    lead: Lead,
    caregiver: ContactDetails | None,
    touch: Touch,
    urgency: str,
    referral_source: ReferralSourceDetails | None,
    lead_type: str,
    condition_interest: str,
) -> _Taken:
    """A new touch on the person's open lead, with what it brings: a referral source the
    lead lacks, a higher urgency, and safety screening (which may make it urgent); a lead
    made more urgent after routing has its clock restarted."""
    recorded = lead_add_touch(
        lead=lead,
        channel=touch.channel,
        message=touch.message,
        utm=touch.utm,
        landing_page=touch.landing_page,
        captured_via=touch.captured_via,
    )
    # A person still waiting for a first response who asks again must not wait more.
    lead_repeat_inquiry_alert(lead=lead, touch=recorded)
    urgency_before = lead.urgency
    source = (
        referral_source_find_or_create(details=referral_source, lead_type=lead_type)
        if referral_source and lead.referral_source_id is None
        else None
    )
    repeat_inquiry_additions(lead=lead, urgency=urgency, referral_source=source)
    flag = lead_safety_screen(
        lead=lead, inquiry=recorded, message=touch.message, condition_interest=condition_interest
    )
    if lead.urgency != urgency_before:
        lead_sla_urgency_raised(lead=lead, at=recorded.occurred_at)
    carer = caregiver_find_or_create(details=caregiver, patient=lead.person) if caregiver else None
    return _Taken(lead=lead, carer=carer, flag=flag, duplicate=True)


def _new_inquiry_take(
    *,
    person: ContactDetails,
    person_on_file: bool,
    caregiver: ContactDetails | None,
    referral_source: ReferralSourceDetails | None,
    touch: Touch,
    lead_type: str,
    **lead_fields: Any,
) -> _Taken:
    """A new lead for the person (found or made), screened for emergencies and its
    routing queued for after commit."""
    patient = (
        person_find_or_create(details=person)
        if person_on_file
        else person_create_from_details(details=person)
    )
    carer = caregiver_find_or_create(details=caregiver, patient=patient) if caregiver else None
    source = (
        referral_source_find_or_create(details=referral_source, lead_type=lead_type)
        if referral_source
        else None
    )
    lead = lead_create(
        person=patient,
        caregiver=carer,
        lead_type=lead_type,
        referral_source=source,
        channel=touch.channel,
        message=touch.message,
        utm=touch.utm,
        landing_page=touch.landing_page,
        captured_via=touch.captured_via,
        **lead_fields,
    )
    # Screening first: an emergency makes the lead urgent before routing picks a team.
    flag = lead_safety_screen(
        lead=lead,
        inquiry=None,
        message=touch.message,
        condition_interest=lead_fields.get("condition_interest", ""),
    )
    lead_routing_queue(lead_id=lead.pk)
    return _Taken(lead=lead, carer=carer, flag=flag, duplicate=False)


def _consent_ticks_record(
    *, consent: ConsentTicks | None, taken: _Taken, intake_key: IntakeKey
) -> None:
    if not (consent and any(consent.get(name) for name in CONSENT_CHANNELS)):
        return
    # Ticked by whoever filled in the form: the caregiver if one is named, else the
    # patient (loaded only now for a repeat inquiry).
    consent_record_from_form(
        person=taken.carer or taken.lead.person, **_consent_form(consent, intake_key)
    )


def _intake_result(
    *,
    taken: _Taken,
    service_line: ServiceLine,
    person: ContactDetails,
    caregiver: ContactDetails | None,
) -> IntakeResult:
    """The answer owed to the caller: 200 for a repeat inquiry, 201 for a new lead."""
    lead = taken.lead
    body = _response_body(lead=lead, service_line=service_line, duplicate=taken.duplicate)
    body["safety"] = _safety_answer(flag=taken.flag, person=person, caregiver=caregiver, lead=lead)
    return IntakeResult(
        status_code=HTTPStatus.OK if taken.duplicate else HTTPStatus.CREATED,
        body=body,
        lead=lead,
        duplicate=taken.duplicate,
    )


def _idempotency_record_store(
    *, result: IntakeResult, intake_key: IntakeKey, key: str, fingerprint: str
) -> None:
    """Keep the answer for a repeat of the Idempotency-Key, in the same transaction."""
    if not key:
        return
    IdempotencyRecord.objects.create(
        intake_key=intake_key,
        key=key,
        request_fingerprint=fingerprint,
        status_code=result.status_code,
        response_body=result.body,
    )


def _safety_answer(
    *, flag, person: ContactDetails, caregiver: ContactDetails | None, lead: Lead
) -> dict[str, str] | None:
    """The safety answer, in the language of whoever filled in the form (the caregiver
    when named), else the patient's language on file."""
    if flag is None:
        return None
    language = (
        (caregiver or {}).get("preferred_language")
        or person.get("preferred_language")
        or lead.person.preferred_language
    )
    return safety_answer(category=flag.category, preferred_language=language).as_dict()


def _reachable(details: ContactDetails) -> bool:
    return bool(details.get("phone") or details.get("email"))


def _contact_lock_keys(details: ContactDetails) -> list[str]:
    keys = []
    if details.get("phone"):
        keys.append(f"phone:{details['phone']}")
    if details.get("email"):
        keys.append(f"email:{details['email'].lower()}")
    return keys


def _consent_form(consent: ConsentTicks, intake_key: IntakeKey) -> dict[str, Any]:
    """The consent boxes as consent_record_from_form takes them (all but the person)."""
    return {
        "channels": {name: bool(consent.get(name)) for name in CONSENT_CHANNELS},
        "wording": consent.get("text", ""),
        "includes_marketing": bool(consent.get("marketing")),
        "source": f"Intake API: {intake_key.name}"[:120],
    }


def _response_body(*, lead: Lead, service_line: ServiceLine, duplicate: bool) -> dict[str, Any]:
    """The answer of the contract: the lead by id, its stage and service line as slugs.
    No personal data, so it can be stored for replays and logged by vendors."""
    # The stage from the reference cache: a repeat inquiry's lead comes without it.
    stage = stages_by_id([lead.stage_id])[lead.stage_id]
    return {
        "id": lead.pk,
        "stage": stage.slug,
        "service_line": service_line.slug,
        "created_at": lead.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "duplicate": duplicate,
    }
