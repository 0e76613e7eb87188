"""Small pieces shared by the staff API's views and serializers."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings


@contextmanager
def service_errors_as_400() -> Iterator[None]:
    """Turn a service's ValidationError (keyed by field) into DRF's, so the client gets
    a 400 naming each field instead of a 500."""
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
        raise serializers.ValidationError(detail) from exc


def iso_datetime(value: dt.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it (ISO 8601 in the current time zone),
    for serializers that build their output by hand for speed."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
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
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
