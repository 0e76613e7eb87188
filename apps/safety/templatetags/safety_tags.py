"""Template helpers of safety screening."""

from django import template

from apps.accounts.decorators import MANAGER_ROLES
from apps.accounts.selectors import user_has_role

register = template.Library()


@register.filter
def manages_safety(user) -> bool:
    """{% if user|manages_safety %}: managers and admins tune the screening phrases."""
    return user_has_role(user=user, roles=set(MANAGER_ROLES))
