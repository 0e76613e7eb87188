from django import template

from apps.intake.selectors import user_takes_inquiries

register = template.Library()


@register.filter
def takes_inquiries(user) -> bool:
    """{% if user|takes_inquiries %}: the "New inquiry" link."""
    return user_takes_inquiries(user=user)
