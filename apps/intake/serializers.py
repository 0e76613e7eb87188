"""Validation of the public intake contract: every bad field is named, nothing is guessed.

Text limits come from the model fields they land in, so a value that passes here always
fits its column. Strings must be JSON strings (a number where a name belongs is a
mistake in the caller's form mapping, not something to coerce); null counts as empty.
"""

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from apps.core.api import SlugEnumMixin
from apps.facilities.selectors import location_find_by_slug, location_slugs
from apps.intake.schema import phone_number_pattern
from apps.leads.choices import Channel, LeadType, Urgency
from apps.leads.models import Lead
from apps.people.models import Person
from apps.referral_sources.models import ReferralSource
from apps.referral_sources.validators import validate_npi
from apps.safety.choices import SafetyCategory
from apps.servicelines.selectors import service_line_find_by_slug, service_line_slugs

# Consent wording is a TextField without a limit; this keeps it to what a form shows.
CONSENT_TEXT_MAX_LENGTH = 5000
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
OLDEST_BIRTH_YEARS = 130


def _max_length(model: type[models.Model], field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


class _JsonStringMixin:
    """Refuse anything but a JSON string; take null as empty."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def validate_empty_values(self, data):
        if data is None and not self.required:
            return True, ""
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StringField(_JsonStringMixin, serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        if not kwargs["required"]:
            kwargs.setdefault("default", "")
        super().__init__(**kwargs)


class EmailAddressField(_JsonStringMixin, serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, default="", **kwargs)


# A plain web address: a subset of what Django's URLValidator takes (it also takes
# ports, IP addresses, ftp), stated so a generated one is always accepted.
WEB_ADDRESS_PATTERN = (
    r"^https?://[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*\.[a-z]{2,6}(/[A-Za-z0-9._~-]*)*$"
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": WEB_ADDRESS_PATTERN,
        "description": "The page's address (http or https).",
    }
)
class UrlField(_JsonStringMixin, serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, default="", **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": phone_number_pattern(settings.PHONENUMBER_DEFAULT_REGION),
        "description": (
            "A valid number for the hospital's region, digits with or without the country "
            "code (other common spellings, such as (312) 555-0142, are taken too); "
            "answered as E.164."
        ),
    }
)
class PhoneField(_JsonStringMixin, PhoneNumberField):
    """A phone in any common format of the hospital's region (PHONENUMBER_DEFAULT_REGION),
    or international with +, returned as E.164."""

    default_error_messages = {
        "invalid": "Enter a valid phone number, such as (312) 555-0142 or +1 312 555 0142."
    }

    def __init__(self, **kwargs):
        # No max_length: phonenumbers refuses over-long input itself, and the stored
        # value is E.164, never what was typed. The region is the one the schema's
        # pattern is built for.
        super().__init__(
            region=settings.PHONENUMBER_DEFAULT_REGION,
            required=False,
            allow_blank=True,
            default="",
            **kwargs,
        )

    def to_internal_value(self, data) -> str:
        number = super().to_internal_value(data)  # the library parses and validates
        return number.as_e164 if number else ""


class ChoiceField(serializers.ChoiceField):
    """A choice whose error lists what would have been accepted."""

    def __init__(self, choices: type[models.TextChoices], **kwargs):
        super().__init__(choices=choices.choices, **kwargs)
        self.error_messages["invalid_choice"] = (
            '"{input}" is not one of: ' + ", ".join(choices.values) + "."
        )


class ActiveSlugField(SlugEnumMixin, serializers.Field):
    """A service line or location given by slug; unknown and switched-off ones are named
    differently, so the caller knows whether to fix a typo or ask the hospital."""

    default_error_messages = {
        "not_a_string": "Must be a slug (a string).",
        "unknown": 'Unknown {noun} "{slug}".',
        "inactive": 'The {noun} "{slug}" is not taking inquiries.',
    }

    def __init__(self, *, find: Callable[..., models.Model | None], noun: str, **kwargs):
        # `find(slug=...)` answers from the reference cache (no query).
        self.find = find
        self.noun = noun
        super().__init__(**kwargs)
        self.allow_blank = not self.required  # "" is read as "not given" (see below)

    def validate_empty_values(self, data):
        if data in (None, "") and not self.required:
            return True, None
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        slug = data.strip()
        # Switched-off rows are found too, so a retired slug gets its own message.
        instance = self.find(slug=slug)
        if instance is None:
            self.fail("unknown", noun=self.noun, slug=slug[:60])
        if not instance.is_active:
            self.fail("inactive", noun=self.noun, slug=slug)
        return instance

    def to_representation(self, value):
        return value.slug


class IntakePersonSerializer(serializers.Serializer):
    """The patient, or the caregiver inquiring for them."""

    first_name = StringField(max_length=_max_length(Person, "first_name"))
    last_name = StringField(max_length=_max_length(Person, "last_name"))
    phone = PhoneField()
    email = EmailAddressField(max_length=_max_length(Person, "email"))
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    preferred_language = StringField(max_length=_max_length(Person, "preferred_language"))
    postal_code = StringField(max_length=_max_length(Person, "postal_code"))

    def validate_date_of_birth(self, value: dt.date | None) -> dt.date | None:
        if value is None:
            return None
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError("A date of birth cannot be in the future.")
        if value.year < today.year - OLDEST_BIRTH_YEARS:
            raise serializers.ValidationError("Check the year of this date of birth.")
        return value

    def validate_preferred_language(self, value: str) -> str:
        value = value.lower() or "en"
        if not LANGUAGE_CODE_RE.match(value):
            raise serializers.ValidationError("Give a language code, such as en, es or zh-hant.")
        return value


class IntakeReferralSourceSerializer(serializers.Serializer):
    npi = StringField(validators=[validate_npi])
    name = StringField(max_length=_max_length(ReferralSource, "name"))
    organization = StringField(max_length=_max_length(ReferralSource, "organization_name"))


class IntakeConsentSerializer(serializers.Serializer):
    """The consent boxes as ticked. They cover care coordination about this inquiry, and
    marketing only when the form's wording said so (`marketing: true`)."""

    email = serializers.BooleanField(required=False, default=False)
    sms = serializers.BooleanField(required=False, default=False)
    phone = serializers.BooleanField(required=False, default=False)
    marketing = serializers.BooleanField(required=False, default=False)
    text = StringField(max_length=CONSENT_TEXT_MAX_LENGTH)

    def validate(self, attrs: dict) -> dict:
        ticked = attrs["email"] or attrs["sms"] or attrs["phone"]
        if ticked and not attrs["text"]:
            raise serializers.ValidationError(
                {"text": "Give the exact wording shown next to the consent boxes."}
            )
        if attrs["marketing"] and not ticked:
            raise serializers.ValidationError(
                {"marketing": "Marketing consent needs a ticked channel: email, sms or phone."}
            )
        return attrs


class IntakeUtmSerializer(serializers.Serializer):
    source = StringField(max_length=_max_length(Lead, "utm_source"))
    medium = StringField(max_length=_max_length(Lead, "utm_medium"))
    campaign = StringField(max_length=_max_length(Lead, "utm_campaign"))
    term = StringField(max_length=_max_length(Lead, "utm_term"))
    content = StringField(max_length=_max_length(Lead, "utm_content"))


class IntakeSerializer(serializers.Serializer):
    """One inquiry. Required: lead_type, channel, service_line and a phone or email for
    the person (or for the caregiver, when one is named)."""

    lead_type = ChoiceField(LeadType)
    channel = ChoiceField(Channel)
    service_line = ActiveSlugField(
        find=service_line_find_by_slug,
        slugs=lambda: service_line_slugs(active_only=True),
        noun="service line",
        help_text="Service line slug: one of the hospital's service lines taking inquiries.",
    )
    location = ActiveSlugField(
        find=location_find_by_slug,
        slugs=lambda: location_slugs(active_only=True),
        noun="location",
        required=False,
        default=None,
        help_text="Location slug; optional.",
        allow_null=True,
    )
    urgency = ChoiceField(Urgency, required=False, default=Urgency.ROUTINE)
    person = IntakePersonSerializer(required=False)
    caregiver = IntakePersonSerializer(required=False, allow_null=True)
    referral_source = IntakeReferralSourceSerializer(required=False, allow_null=True)
    payer = StringField(max_length=_max_length(Lead, "payer"))
    condition_interest = StringField(max_length=_max_length(Lead, "condition_interest"))
    message = StringField(max_length=_max_length(Lead, "message"))
    consent = IntakeConsentSerializer(required=False, allow_null=True)
    utm = IntakeUtmSerializer(required=False, allow_null=True)
    landing_page = UrlField(max_length=_max_length(Lead, "landing_page"))
    external_id = StringField(max_length=_max_length(Lead, "external_id"))

    def validate(self, attrs: dict) -> dict:
        person = attrs.get("person") or {}
        caregiver = attrs.get("caregiver") or None
        if caregiver and not any(caregiver.get(name) for name in _IDENTIFYING_FIELDS):
            caregiver = None  # an empty caregiver block names nobody
        if not (_reachable(person) or (caregiver and _reachable(caregiver))):
            raise serializers.ValidationError(
                {
                    "person": "Give a phone number or an email address for the person "
                    "(or for the caregiver), so the intake team can reach them."
                }
            )
        source = attrs.get("referral_source") or None
        if source and not any(source.values()):
            source = None
        attrs.update(person=person, caregiver=caregiver, referral_source=source)
        return attrs


_IDENTIFYING_FIELDS = ("first_name", "last_name", "phone", "email")


def _reachable(details: dict) -> bool:
    return bool(details.get("phone") or details.get("email"))


class IntakeSafetySerializer(serializers.Serializer):
    """What a form must show a person whose inquiry reads like an emergency."""

    category = serializers.ChoiceField(choices=SafetyCategory.choices)
    message = serializers.CharField(help_text="Show this to the person now, as it is.")


class IntakeResponseSerializer(serializers.Serializer):
    """The answer to an inquiry; a replay with the same Idempotency-Key gets it again."""

    # Documentation only: services build the answer, to store it for replays.

    id = serializers.IntegerField()
    stage = serializers.SlugField(help_text="Pipeline stage slug, `new` for a new lead.")
    service_line = serializers.SlugField()
    created_at = serializers.DateTimeField()
    duplicate = serializers.BooleanField(
        help_text="True when the inquiry joined the person's open lead as a new touch."
    )
    safety = IntakeSafetySerializer(
        allow_null=True,
        help_text=(
            "null, or a possible emergency found in the message or condition: the form "
            "must show `message` to the person at once (it says to call 911, or 988 for "
            "suicide or self-harm, in their preferred language when it is Spanish)."
        ),
    )
