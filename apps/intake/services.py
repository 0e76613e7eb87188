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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.alerts.services import lead_repeat_inquiry_alert
from apps.core.db import advisory_xact_lock, advisory_xact_locks, insert_rows, insert_together
from apps.facilities.models import Location
from apps.intake.models import IdempotencyRecord, IntakeKey, intake_key_hash
from apps.intake.repeat_inquiry import lead_find_by_caregiver, repeat_inquiry_additions
from apps.intake.selectors import contact_is_on_file, idempotency_record_find
from apps.leads.choices import LeadType, Urgency
from apps.leads.models import Lead
from apps.leads.selectors import lead_find_open_for_contact
from apps.leads.services import lead_add_touch, lead_build, lead_create
from apps.people.models import Person
from apps.people.selectors import person_find_match
from apps.people.services import (
    consent_record_from_form,
    consents_from_form,
    person_build,
    person_create,
)
from apps.pipeline.selectors import stages_by_id
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.services import referral_source_create
from apps.routing.services import lead_routing_queue
from apps.safety.services import lead_safety_screen, safety_answer
from apps.servicelines.models import ServiceLine
from apps.sla.services import lead_sla_urgency_raised

KEY_PREFIX_LENGTH = 8
# last_used_at is for "is this vendor still sending?", not an audit trail: writing it on
# every request would turn each intake into one more UPDATE on a hot row.
KEY_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
CONSENT_CHANNELS = ("email", "sms", "phone")


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


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before, with a different request body."""


# --- Keys -------------------------------------------------------------------


@transaction.atomic
def intake_key_create(*, name: str) -> tuple[IntakeKey, str]:
    """Make a key for one capture channel. Returns the key row and the raw key, which is
    never stored and must be shown to the caller once. Raises ValidationError keyed by
    `name` if the name is taken."""
    raw_key = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():  # a savepoint: a taken name leaves the caller's work intact
            intake_key = IntakeKey.objects.create(
                name=name,
                prefix=raw_key[:KEY_PREFIX_LENGTH],
                key_hash=intake_key_hash(raw_key),
            )
    except IntegrityError as exc:
        raise ValidationError({"name": f'An intake key named "{name}" already exists.'}) from exc
    return intake_key, raw_key


def intake_key_mark_used(*, intake_key: IntakeKey, now: dt.datetime | None = None) -> None:
    """Note that a key was used, at most about once a minute.

    The conditional UPDATE (one statement, atomic on its own) lets only the first of many
    concurrent requests write; the others find the row fresh and change nothing.
    """
    now = now or timezone.now()
    stale_before = now - KEY_LAST_USED_RESOLUTION
    if intake_key.last_used_at is not None and intake_key.last_used_at >= stale_before:
        return
    IntakeKey.objects.filter(pk=intake_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale_before)
    ).update(last_used_at=now)
    intake_key.last_used_at = now


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
    stage New (201). Consent boxes ticked on the form are recorded for whoever filled it
    in, every time. With an `idempotency_key`, the answer is stored in the same
    transaction and a repeat of the key replays it (IdempotencyKeyReused if the body
    differs). Side effects: rows in people, referral sources, leads, activities,
    consents and idempotency records; nothing queued yet.
    """
    person = person or {}
    caregiver = caregiver or None
    # Matching and reuse hinge on the person's contact (the caregiver's when the person
    # has none). Locking it makes "find, else create" safe: two simultaneous posts of one
    # person open one lead. With an Idempotency-Key, two copies of one request arriving
    # together are serialized too: the second waits, then finds the first one's record
    # instead of saving the inquiry twice. All in one statement, in a fixed order.
    contact = person if _reachable(person) else (caregiver or {})
    lock_keys = [("intake-contact", key) for key in _contact_lock_keys(contact)]
    if idempotency_key:
        lock_keys.append(("intake-idempotency", f"{intake_key.pk}:{idempotency_key}"))
    advisory_xact_locks(lock_keys)
    if idempotency_key:
        record = idempotency_record_find(intake_key=intake_key, key=idempotency_key)
        if record is not None:
            return intake_replay(record=record, request_fingerprint=request_fingerprint)

    captured_via = intake_key.name
    utm = utm or {}
    lead = None
    known = _reachable(person) and contact_is_on_file(
        phone=person.get("phone", ""), email=person.get("email", "")
    )
    if known:
        lead = lead_find_open_for_contact(
            service_line=service_line,
            phone=person.get("phone", ""),
            email=person.get("email", ""),
        )
    if lead is None and caregiver and _reachable(caregiver):
        lead = lead_find_by_caregiver(caregiver=caregiver, person=person, service_line=service_line)

    consent_ticked = bool(consent) and any(consent.get(name) for name in CONSENT_CHANNELS)
    consent_form = _consent_form(consent, intake_key=intake_key) if consent_ticked else {}
    if lead is not None:
        touch = lead_add_touch(
            lead=lead,
            channel=channel,
            message=message,
            utm=utm,
            landing_page=landing_page,
            captured_via=captured_via,
        )
        # A person still waiting for a first response who asks again must not wait more.
        lead_repeat_inquiry_alert(lead=lead, touch=touch)
        urgency_before = lead.urgency
        source = (
            _referral_source_find_or_create(details=referral_source, lead_type=lead_type)
            if referral_source and lead.referral_source_id is None
            else None
        )
        repeat_inquiry_additions(lead=lead, urgency=urgency, referral_source=source)
        flag = lead_safety_screen(
            lead=lead, inquiry=touch, message=message, condition_interest=condition_interest
        )
        if lead.urgency != urgency_before:
            lead_sla_urgency_raised(lead=lead, at=touch.occurred_at)
        duplicate, status_code = True, HTTPStatus.OK
        # The patient row is loaded only when a caregiver or a consent needs it.
        patient = lead.person if caregiver or consent_ticked else None
        carer = _caregiver_find_or_create(details=caregiver, patient=patient) if caregiver else None
    else:
        source = (
            _referral_source_find_or_create(details=referral_source, lead_type=lead_type)
            if referral_source
            else None
        )
        lead_fields = {
            "lead_type": lead_type,
            "channel": channel,
            "service_line": service_line,
            "location": location,
            "urgency": urgency,
            "referral_source": source,
            "payer": payer,
            "condition_interest": condition_interest,
            "message": message,
            "utm": utm,
            "landing_page": landing_page,
            "external_id": external_id,
            "captured_via": captured_via,
        }
        if known or caregiver:
            patient = (
                _person_find_or_create(details=person) if known else _person_create(details=person)
            )
            carer = (
                _caregiver_find_or_create(details=caregiver, patient=patient) if caregiver else None
            )
            lead = lead_create(person=patient, caregiver=carer, **lead_fields)
        else:
            # Most inquiries: someone new, for themselves. Their person row, the lead,
            # its first inquiry and the consent boxes go in as one statement.
            patient, carer = person_build(**_person_fields(person)), None
            lead, inquiry = lead_build(person=patient, **lead_fields)
            rows = [([patient], {}), ([lead], {"person": patient}), ([inquiry], {"lead": lead})]
            if consent_ticked:
                consents = consents_from_form(person=patient, **consent_form)
                rows.append((consents, {"person": patient}))
                consent_ticked = False  # recorded with the rest
            insert_together(*rows)
        # Screening first: an emergency makes the lead urgent before routing picks a team.
        flag = lead_safety_screen(
            lead=lead, inquiry=None, message=message, condition_interest=condition_interest
        )
        lead_routing_queue(lead_id=lead.pk)
        duplicate, status_code = False, HTTPStatus.CREATED

    if consent_ticked:
        # The boxes were ticked by whoever filled in the form: the caregiver if one is
        # named, else the patient.
        consent_record_from_form(person=carer or patient, **consent_form)

    body = _response_body(lead=lead, service_line=service_line, duplicate=duplicate)
    body["safety"] = _safety_answer(flag=flag, person=person, caregiver=caregiver, lead=lead)
    if idempotency_key:
        record = IdempotencyRecord(
            intake_key=intake_key,
            key=idempotency_key,
            request_fingerprint=request_fingerprint,
            status_code=status_code,
            response_body=body,
        )
        insert_rows([record])
    return IntakeResult(status_code=status_code, body=body, lead=lead, duplicate=duplicate)


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


def _person_find_or_create(*, details: ContactDetails, patient: Person | None = None) -> Person:
    existing = person_find_match(
        first_name=details.get("first_name", ""),
        phone=details.get("phone", ""),
        email=details.get("email", ""),
        date_of_birth=details.get("date_of_birth"),
    )
    if existing is not None:
        return existing
    return _person_create(details=details, patient=patient)


def _person_create(*, details: ContactDetails, patient: Person | None = None) -> Person:
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


def _consent_form(consent: ConsentTicks, *, intake_key: IntakeKey) -> dict[str, Any]:
    """The consent boxes as consents_from_form takes them (all but the person)."""
    return {
        "channels": {name: bool(consent.get(name)) for name in CONSENT_CHANNELS},
        "wording": consent.get("text", ""),
        "includes_marketing": bool(consent.get("marketing")),
        "source": f"Intake API: {intake_key.name}"[:120],
    }


def _caregiver_find_or_create(*, details: ContactDetails, patient: Person) -> Person | None:
    # Most caregivers are new too: one probe instead of the person match when not on file.
    if contact_is_on_file(phone=details.get("phone", ""), email=details.get("email", "")):
        carer = _person_find_or_create(details=details, patient=patient)
    else:
        carer = _person_create(details=details, patient=patient)
    if carer.pk == patient.pk:
        # The form named the patient twice; a person is not their own caregiver.
        return None
    if carer.patient_id is None:
        # A known person inquiring for someone for the first time: link them. A link to
        # another patient is kept; the lead records whom they inquired for this time.
        Person.objects.filter(pk=carer.pk, patient__isnull=True).update(patient=patient)
        carer.patient = patient
    return carer


def _referral_source_find_or_create(
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


def _response_body(*, lead: Lead, service_line: ServiceLine, duplicate: bool) -> dict[str, Any]:
    """The answer of the contract: the lead by id, its stage and service line as slugs.
    No personal data, so it can be stored for replays and logged by vendors."""
    # The stage from the process's stage cache: a repeat inquiry's lead comes without it.
    stage = stages_by_id([lead.stage_id])[lead.stage_id]
    return {
        "id": lead.pk,
        "stage": stage.slug,
        "service_line": service_line.slug,
        "created_at": lead.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "duplicate": duplicate,
    }
