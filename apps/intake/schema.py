"""How the intake appears in the OpenAPI schema (drf-spectacular extensions and hooks).

The schema states the intake's own rules, so a client generated from it (or schemathesis)
sends only inquiries the server takes: a phone that is a valid number for the hospital's
region, and a phone or an email for the person or the caregiver.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from phonenumbers import PhoneMetadata

# The number types phonenumbers counts as valid (is_valid_number tries each).
_NUMBER_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


class IntakeKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.intake.authentication.IntakeKeyAuthentication"
    name = "IntakeApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Api-Key <key>`; keys are made per capture channel with "
                "`python manage.py create_intake_key <name>`."
            ),
        }


def phone_number_pattern(region: str) -> str:
    """A regular expression for the valid numbers of `region`, digits only, with or
    without the country code (`+13125550142`, `3125550142`). The blank a form may send
    is documented beside it (drf-spectacular's `oneOf` for allow_blank).

    Built from the metadata phonenumbers validates with, so every value it matches is
    accepted; the server takes other common spellings too ("(312) 555-0142").
    """
    metadata = PhoneMetadata.metadata_for_region(region)
    national = []
    for name in _NUMBER_TYPES:
        description = getattr(metadata, name)
        pattern = description.national_number_pattern if description else None
        if pattern and pattern not in national:
            national.append(pattern)
    return rf"^(?:\+{metadata.country_code})?(?:{'|'.join(national)})$"


# "A phone or an email", stated so a schema-valid inquiry is one the team can answer.
_REACHABLE = {
    "type": "object",
    "anyOf": [
        {"required": ["phone"], "properties": {"phone": {"minLength": 1}}},
        {"required": ["email"], "properties": {"email": {"minLength": 1}}},
    ],
}


_NULL_AS_EMPTY = (
    "IntakeRequest",
    "IntakePersonRequest",
    "IntakeReferralSourceRequest",
    "IntakeConsentRequest",
    "IntakeUtmRequest",
)
LANGUAGE_CODE_PATTERN = r"^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?)?$"
_TICKED = ("email", "sms", "phone")
# IntakeConsentSerializer.validate: nothing ticked (and no marketing), or a ticked
# channel with the wording shown beside the boxes.
_CONSENT_GIVEN_AS_SHOWN = [
    {"properties": {name: {"enum": [False]} for name in (*_TICKED, "marketing")}},
    {
        "required": ["text"],
        "properties": {"text": {"type": "string", "pattern": r"\S"}},  # null is empty
        "anyOf": [{"required": [name], "properties": {name: {"enum": [True]}}} for name in _TICKED],
    },
]


def intake_contact_rule_document(result, generator, request, public):
    """Postprocessing hook: an inquiry names a phone or an email, for the person or for
    the caregiver (IntakeSerializer.validate)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in _NULL_AS_EMPTY:
        for field in schemas.get(name, {}).get("properties", {}).values():
            if field.get("type") == "string" and "enum" not in field:
                field["nullable"] = True  # _JsonStringMixin: null counts as empty
    person = schemas.get("IntakePersonRequest")
    if person is not None:
        # IntakePersonSerializer.validate_preferred_language, on the lower-cased code.
        person["properties"]["preferred_language"]["pattern"] = LANGUAGE_CODE_PATTERN
    source = schemas.get("IntakeReferralSourceRequest")
    if source is not None:
        # validate_npi: ten digits, the last a Luhn check digit (which no pattern states).
        source["properties"]["npi"]["pattern"] = r"^([0-9]{10})?$"
    consent = schemas.get("IntakeConsentRequest")
    if consent is not None:
        consent["anyOf"] = _CONSENT_GIVEN_AS_SHOWN
    inquiry = schemas.get("IntakeRequest")
    if inquiry is not None:
        inquiry["anyOf"] = [
            {"required": [who], "properties": {who: _REACHABLE}} for who in ("person", "caregiver")
        ]
        inquiry["description"] = (
            inquiry.get("description", "")
            + "\n\nThe person, or the caregiver, needs a `phone` or an `email`."
        ).strip()
    return result
