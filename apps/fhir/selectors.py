"""Reads for the FHIR exchange. A sending system sees only the referrals it sent (its
intake key), and only through these functions: anything else answers 404."""

import datetime as dt
import hashlib
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from apps.audit.services import access_record
from apps.fhir.models import FhirAccessToken, FhirClient, FhirReferral, ServiceLineCode
from apps.intake.models import IntakeKey


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def service_line_slug_for_codings(codings: list[tuple[str, str]]) -> str | None:
    """The active service line of the first coding that is mapped (one query)."""
    wanted = [(system, code) for system, code in codings if code]
    if not wanted:
        return None
    rows = ServiceLineCode.objects.filter(
        reduce(or_, (Q(system=system, code=code) for system, code in wanted)),
        service_line__is_active=True,
    ).values_list("system", "code", "service_line__slug")
    mapped = {(system, code): slug for system, code, slug in rows}
    return next((mapped[pair] for pair in wanted if pair in mapped), None)


def fhir_client_authenticate(*, client_id: str, secret: str) -> FhirClient | None:
    client = (
        FhirClient.objects.filter(client_id=client_id, is_active=True)
        .select_related("intake_key")
        .first()
    )
    if client is None or client.secret_hash != token_hash(secret):
        return None
    return client


def intake_key_for_token(*, raw_token: str, now: dt.datetime | None = None) -> IntakeKey | None:
    """The intake key a live bearer token acts as, or None."""
    token = (
        FhirAccessToken.objects.filter(
            token_hash=token_hash(raw_token),
            expires_at__gt=now or timezone.now(),
            client__is_active=True,
            client__intake_key__is_active=True,
        )
        .select_related("client__intake_key")
        .first()
    )
    return token.client.intake_key if token else None


def _referrals_for(intake_key: IntakeKey):
    return FhirReferral.objects.filter(intake_key=intake_key).select_related(
        "lead__stage", "lead__service_line", "lead__person", "lead__referral_source"
    )


def fhir_referral_get(*, intake_key: IntakeKey, **by) -> FhirReferral:
    """By service_request_id, task_id or patient_id; raises FhirReferral.DoesNotExist."""
    return _referrals_for(intake_key).get(**by)


def fhir_referral_read(*, intake_key: IntakeKey, kind: str, **by) -> FhirReferral:
    """fhir_referral_get for an answer that shows the referral (`kind`: the resource
    answered, "Patient", "ServiceRequest" or "Task"): the access log records the sending
    system, the lead and its patient. A Task names no one but points at the Patient."""
    referral = fhir_referral_get(intake_key=intake_key, **by)
    access_record(
        user=None,
        client=str(intake_key),
        what=f"FHIR {kind}",
        lead_ids=[referral.lead_id],
        person_ids=[referral.lead.person_id],
    )
    return referral


def fhir_service_line_codes(*, service_line_ids: list[int]) -> dict[int, list[ServiceLineCode]]:
    codes: dict[int, list[ServiceLineCode]] = {}
    for row in ServiceLineCode.objects.filter(service_line_id__in=service_line_ids):
        codes.setdefault(row.service_line_id, []).append(row)
    return codes


def service_line_code_list():
    return ServiceLineCode.objects.select_related("service_line")


def fhir_client_list():
    return FhirClient.objects.select_related("intake_key")
