"""Small display helpers of the queue and the lead page."""

import datetime as dt

from django import template
from django.utils import timezone

from apps.core.languages import language_name
from apps.queue import display

register = template.Library()


@register.simple_tag
def countdown_text(due: dt.datetime | None, now: dt.datetime | None, future: str, past: str) -> str:
    """The clock as text, e.g. "42:07 left": `future` and `past` hold "{}" for the span."""
    return display.countdown_text(due, now or timezone.now(), future, past)


@register.simple_tag
def age(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, coarsely: "12 min", "5 h", "3 d"."""
    return display.age_text(since, now or timezone.now())


@register.inclusion_tag("queue/_field.html")
def field(bound_field, compact: bool = False):
    """A labelled control with its errors tied to it (aria-describedby)."""
    return {"field": bound_field, "compact": compact}


@register.filter
def language(code: str) -> str:
    """A language code as staff say it: "es" -> "Spanish"."""
    return language_name(code) if code else "—"
