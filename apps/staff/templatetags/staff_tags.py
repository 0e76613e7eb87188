from django import template

from apps.staff.selectors import user_manages_staff

register = template.Library()


@register.filter
def manages_staff(user) -> bool:
    """{% if user|manages_staff %}: the "Users and roles" link."""
    return user.is_authenticated and user_manages_staff(user=user)
