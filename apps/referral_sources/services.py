"""Writes to referral sources. NPI is the key that keeps one record per provider."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.referral_sources.models import ReferralSource, ReferralSourceKind

REFERRAL_SOURCE_EDITABLE_FIELDS = (
    "kind",
    "name",
    "npi",
    "specialty",
    "parent",
    "organization_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
    "territory",
    "owning_liaison",
    "is_active",
)


@transaction.atomic
def referral_source_create(*, actor: User | None, kind: str, name: str, **fields) -> ReferralSource:
    """Add a referral source. A second record for an NPI already on file is refused
    (the existing one is named), so referrals keep landing on one provider."""
    source = ReferralSource(kind=kind, name=name)
    return _referral_source_save(source=source, changes=fields, creating=True)


@transaction.atomic
def referral_source_update(
    *, source: ReferralSource, actor: User | None, **changes
) -> ReferralSource:
    """Edit a referral source's details, owner or NPI, with the same checks as creation."""
    return _referral_source_save(source=source, changes=changes, creating=False)


def _referral_source_save(
    *, source: ReferralSource, changes: dict, creating: bool
) -> ReferralSource:
    unknown = set(changes) - set(REFERRAL_SOURCE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    if "npi" in changes:
        # A blank NPI is "none on file": NULL, so the unique index ignores it.
        changes["npi"] = (changes["npi"] or "").strip() or None
    for name, value in changes.items():
        setattr(source, name, value)

    errors: dict[str, str] = {}
    if "phone" in changes:
        source.phone, phone_error = _phone_cleaned(changes["phone"] or "")
        if phone_error:
            errors["phone"] = phone_error
    if source.npi and source.kind != ReferralSourceKind.PROVIDER:
        errors["npi"] = "Only a referring provider has an NPI."
    elif source.npi:
        duplicate = (
            ReferralSource.objects.filter(npi=source.npi)
            .exclude(pk=source.pk)
            .values("pk", "name")
            .first()
        )
        if duplicate:
            errors["npi"] = _duplicate_npi_message(duplicate)
    if source.parent_id is not None and source.parent_id == source.pk:
        errors["parent"] = "A referral source cannot be its own practice."
    liaison = source.owning_liaison
    if liaison is not None and not (
        liaison.is_active and user_has_role(user=liaison, roles={Role.LIAISON})
    ):
        errors["owning_liaison"] = "The owning liaison must be an active liaison."
    if errors:
        raise ValidationError(errors)
    # Field validators (the NPI check digit, email) and the database constraints.
    source.full_clean(validate_unique=False)

    try:
        # A savepoint, so a concurrent insert of the same NPI becomes a field error
        # instead of a broken transaction.
        with transaction.atomic():
            if creating:
                source.save()
            else:
                source.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:
        duplicate = ReferralSource.objects.filter(npi=source.npi).values("pk", "name").first()
        if source.npi and duplicate:
            raise ValidationError({"npi": _duplicate_npi_message(duplicate)}) from exc
        raise
    return source


def _phone_cleaned(raw: str) -> tuple[str, str]:
    """A referrer's office number, written the one way staff dial it, or an error: "call
    the front desk" is not a number anyone can call back."""
    raw = raw.strip()
    if not raw:
        return "", ""
    try:
        number = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return raw, "Enter a phone number, e.g. (312) 555-0142 or 312-555-0142 x204."
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONENUMBER_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)[:20], ""


def _duplicate_npi_message(duplicate: dict) -> str:
    return (
        f"Referral source #{duplicate['pk']} ({duplicate['name']}) already has this NPI; "
        "update that record instead."
    )
