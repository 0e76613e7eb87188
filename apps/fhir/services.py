"""Writes of the FHIR exchange: sending systems and their tokens, the code mapping, and
a referral taken in through the same intake service as the JSON API."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.fhir.models import FhirAccessToken, FhirClient, FhirReferral, ServiceLineCode
from apps.fhir.parsing import Issue, ReferralIn, ReferralInvalid
from apps.fhir.selectors import token_hash
from apps.intake.models import IntakeKey
from apps.intake.selectors import idempotency_record_find
from apps.intake.serializers import IntakeSerializer
from apps.intake.services import (
    IdempotencyKeyReused,
    intake_key_create,
    intake_request_fingerprint,
    intake_submit,
)
from apps.servicelines.models import ServiceLine

TOKEN_LIFETIME = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ReferralTaken:
    referral: FhirReferral
    created: bool  # False: matched an open referral (or a replay of the same Bundle)


@transaction.atomic
def fhir_client_create(*, name: str) -> tuple[FhirClient, str]:
    """A sending system with its own intake key; returns the client and the secret,
    which is never stored (show it once). Raises ValidationError keyed by `name`."""
    if FhirClient.objects.filter(name=name).exists():
        raise ValidationError({"name": f'A FHIR client named "{name}" already exists.'})
    intake_key, _raw_key = intake_key_create(name=f"FHIR: {name}")
    secret = secrets.token_urlsafe(32)
    client = FhirClient.objects.create(
        name=name,
        client_id=secrets.token_urlsafe(12),
        secret_hash=token_hash(secret),
        intake_key=intake_key,
    )
    return client, secret


@transaction.atomic
def fhir_token_issue(*, client: FhirClient, now: dt.datetime | None = None) -> tuple[str, int]:
    """A bearer token for the client (hash stored); returns it and its lifetime in s.
    Expired tokens of the client are dropped on the way."""
    now = now or timezone.now()
    FhirAccessToken.objects.filter(client=client, expires_at__lte=now).delete()
    raw = secrets.token_urlsafe(32)
    FhirAccessToken.objects.create(
        client=client, token_hash=token_hash(raw), expires_at=now + TOKEN_LIFETIME
    )
    return raw, int(TOKEN_LIFETIME.total_seconds())


@transaction.atomic
def service_line_code_save(
    *, system: str, code: str, service_line: ServiceLine, display: str = ""
) -> ServiceLineCode:
    """Map a coding to a service line (a second save of the same coding re-maps it)."""
    if not system.strip() or not code.strip():
        raise ValidationError({"code": "Give both the code system and the code."})
    row, _ = ServiceLineCode.objects.update_or_create(
        system=system.strip(),
        code=code.strip(),
        defaults={"service_line": service_line, "display": display},
    )
    return row


@transaction.atomic
def service_line_code_delete(*, row: ServiceLineCode) -> None:
    row.delete()


def _intake_issues(errors, paths: dict, prefix: tuple = ()) -> list[Issue]:
    """The intake serializer's errors (nested like its body) as FHIR issues, each at
    the element the value came from (or its resource when the element was absent)."""
    issues = []
    if isinstance(errors, dict):
        for name, detail in errors.items():
            key = (*prefix, name) if name != "non_field_errors" else prefix
            issues += _intake_issues(detail, paths, key)
        return issues
    where = paths.get(prefix) or paths.get(prefix[:1]) or "Bundle"
    return [Issue(where, str(message)) for message in errors]


def fhir_referral_issues(*, referral: ReferralIn, known: list[Issue]) -> list[Issue]:
    """`known` plus what intake's validation finds in the rest of the referral."""
    serializer = IntakeSerializer(data=referral.intake)
    more = [] if serializer.is_valid() else _intake_issues(serializer.errors, referral.paths)
    seen = {issue.expression for issue in known}
    return known + [issue for issue in more if issue.expression not in seen]


@transaction.atomic
def fhir_referral_take(*, intake_key: IntakeKey, referral: ReferralIn) -> ReferralTaken:
    """Take a FHIR referral through intake_submit: the same validation, duplicate
    matching, red flags, routing and idempotency (Bundle.identifier or If-None-Exist
    as the idempotency key). Raises ReferralInvalid (nothing saved).

    Side effects: intake's (lead, person, referral source, routing after commit), and
    the referral's FHIR ids.
    """
    serializer = IntakeSerializer(data=referral.intake)
    if not serializer.is_valid():
        raise ReferralInvalid(_intake_issues(serializer.errors, referral.paths))
    idempotency_key = f"fhir:{referral.identifier}" if referral.identifier else ""
    try:
        result = intake_submit(
            intake_key=intake_key,
            idempotency_key=idempotency_key[:255],
            request_fingerprint=intake_request_fingerprint(referral.intake),
            **serializer.validated_data,
        )
    except IdempotencyKeyReused:
        if not referral.conditional:
            raise ReferralInvalid(
                [
                    Issue(
                        "Bundle.identifier",
                        "This identifier came with another referral.",
                        "duplicate",
                    )
                ]
            ) from None
        record = idempotency_record_find(intake_key=intake_key, key=idempotency_key[:255])
        fhir_referral, _ = FhirReferral.objects.get_or_create(
            lead_id=record.response_body["id"], defaults={"intake_key": intake_key}
        )
        return ReferralTaken(referral=fhir_referral, created=False)
    fhir_referral, made = FhirReferral.objects.get_or_create(
        lead_id=result.body["id"], defaults={"intake_key": intake_key}
    )
    created = result.status_code == 201 and not result.replayed
    return ReferralTaken(referral=fhir_referral, created=created and made)
