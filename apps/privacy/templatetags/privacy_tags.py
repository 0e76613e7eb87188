from django import template

from apps.privacy.selectors import user_is_privacy_officer

register = template.Library()


@register.filter
def is_privacy_officer(user) -> bool:
    """{% if user|is_privacy_officer %}: the Privacy link in the navigation."""
    return user.is_authenticated and user_is_privacy_officer(user=user)
