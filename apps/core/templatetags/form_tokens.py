from django import template
from django.utils.html import format_html

from apps.core.form_tokens import FIELD_NAME, form_token_new

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """A hidden one-time token: the form's second sending saves nothing."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, form_token_new())
