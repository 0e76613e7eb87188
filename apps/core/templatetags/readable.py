"""{% load readable %}: the filters every page uses to show durations, phone numbers and
dates the same way (apps/core/readable.py; dates through the named formats of
leadcrm/formats)."""

import datetime as dt
from decimal import Decimal

from django import template

from apps.core import readable

register = template.Library()


@register.filter
def duration(value) -> str:
    """{{ minutes|duration }} or {{ timedelta|duration }}: "1 d 17 h"; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.timedelta):
        return readable.duration_text(value.total_seconds() / 60)
    if isinstance(value, int | float | Decimal):
        return readable.duration_text(float(value))
    return str(value)


@register.simple_tag
def duration_between(start, end) -> str:
    """{% duration_between lead.created_at lead.first_response_at %}: "1 d 17 h"."""
    return readable.duration_between(start, end)


@register.filter
def phone(value) -> str:
    """{{ person.phone|phone }}: national format for the hospital's country."""
    return readable.phone_text(value)
