"""How figures read to staff, in one place for every page: durations ("1 d 17 h"),
phone numbers (national format for the hospital's own country) and choice codes as
their labels. The template filters of the same names are in templatetags/readable.py."""

import datetime as dt

import phonenumbers
from django.conf import settings


def duration_text(minutes: float) -> str:
    """A span of time as staff say it: "45 s", "8 min", "3 h 20 min", "1 d 17 h"
    (2,477.8 min was a number nobody could read)."""
    if 0 < minutes < 1:
        return f"{round(minutes * 60)} s"
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, mins = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def duration_between(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """The time from `start` to `end` as duration_text writes it; "" without both."""
    if start is None or end is None:
        return ""
    return duration_text(max(0.0, (end - start).total_seconds() / 60))


def phone_text(value) -> str:
    """A phone number as dialled from the hospital's country: "(312) 555-0142" for a US
    hospital's US numbers, "+44 20 7946 0958" for a number abroad. Accepts a
    PhoneNumber, an E.164 string or a number typed in any format; text that is not a
    phone number ("ask for the front desk") is shown as it is."""
    if not value:
        return ""
    region = settings.PHONENUMBER_DEFAULT_REGION
    try:
        number = phonenumbers.parse(str(value), region)
    except phonenumbers.NumberParseException:
        return str(value)
    if not phonenumbers.is_possible_number(number):
        return str(value)
    own = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(
        number,
        phonenumbers.PhoneNumberFormat.NATIONAL
        if own
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    )


def choice_label(choices, code: str) -> str:
    """The label of a TextChoices code ("no_response" -> "No response"); a code that is
    no longer a choice reads as words rather than as a code."""
    if not code:
        return ""
    labels = dict(choices.choices)
    return str(labels.get(code, code.replace("_", " ").replace("-", " ").capitalize()))
