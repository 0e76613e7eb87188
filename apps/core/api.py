"""Small pieces shared by the staff API's views and serializers."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from apps.core.conflicts import StateConflict


class Conflict(APIException):
    """409: the request is well formed, but the data's current state refuses it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The current state of the data does not allow this."
    default_code = "conflict"


@contextmanager
def service_errors_as_400() -> Iterator[None]:
    """Turn a service's ValidationError (keyed by field) into DRF's, so the client gets
    a 400 naming each field instead of a 500; a StateConflict answers 409, same shape."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        if isinstance(exc, StateConflict):
            raise Conflict(detail) from exc
        raise serializers.ValidationError(detail) from exc


def iso_datetime(value: dt.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (ISO 8601 in the current time zone),
    for serializers that build their output by hand for speed."""
    if value is None:
        return None
    return _rfc3339(timezone.localtime(value))


def _rfc3339(local: dt.datetime) -> str:
    # RFC 3339 offsets are whole minutes; a zone's local mean time before standard time
    # (New York in 1850: -04:56:02) is not, so such a time is written in UTC.
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        local = local.astimezone(dt.UTC)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_datetime_writer() -> Callable[[dt.datetime | None], str | None]:
    """iso_datetime with the current time zone looked up once, for a page of rows.

    timezone.localtime() finds the active zone through asgiref's Local on every call:
    over the five timestamps of 50 lead rows that was most of the formatting time.
    """
    zone = timezone.get_current_timezone()

    def write(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        return _rfc3339(value.astimezone(zone))

    return write


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- Fields whose schema says exactly what they carry -------------------------------
# drf-spectacular reads these declarations; apps.core.openapi maps SlugEnumField.

# RFC 3339 "full-time" (OpenAPI's `format: time`) requires an offset, and business hours
# have none: they are wall-clock times in the location's own time zone.
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$",
    "example": "07:30:00",
    "description": "Local wall-clock time (HH:MM:SS) in the location's time zone.",
}


@extend_schema_field(LOCAL_TIME_SCHEMA)
class LocalTimeField(serializers.TimeField):
    """A time of day without an offset, written HH:MM:SS."""


# An address, or the empty string when nobody gave one: `format: email` alone would make
# every empty value a schema violation for generated clients.
EMAIL_OR_BLANK_SCHEMA = {
    "type": "string",
    "anyOf": [{"format": "email"}, {"maxLength": 0}],
    "description": "An email address, or empty when none is known.",
}


@extend_schema_field(EMAIL_OR_BLANK_SCHEMA)
class EmailOrBlankField(serializers.CharField):
    """An email address that may be empty (a CharField, so the generator adds no
    `format: email` of its own beside the declaration above)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        # Checked here rather than as a validator, which the generator would also
        # document as `format: email`, refusing the empty string.
        value = super().to_internal_value(data)
        if value:
            EmailValidator(message="Enter a valid email address.")(value)
        return value


class TextField(serializers.CharField):
    """Text, and only text. DRF's CharField turns 12 or 1.5 into "12": a client that
    sends a number where the schema says string has a bug we should tell it about."""

    default_error_messages = {"not_a_string": "Must be text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class SlugEnumMixin:
    """A reference row named by slug. The schema lists the slugs that `slugs()` returns
    when the schema is generated (the hospital's own service lines, locations, stages),
    so a client generated from it sends only values the server takes."""

    def __init__(self, *, slugs: Callable[[], list[str]], **kwargs):
        self.slugs = slugs
        super().__init__(**kwargs)


class SlugEnumField(SlugEnumMixin, serializers.SlugField):
    pass


class SlugEnumRelatedField(SlugEnumMixin, serializers.SlugRelatedField):
    pass


def slug_enum(query_filter, *, slugs: Callable[[], list[str]]):
    """A django-filter filter taking slugs, documented as one of `slugs()`, read when
    the schema is generated."""
    return extend_schema_field(SlugEnumField(slugs=slugs))(query_filter)
