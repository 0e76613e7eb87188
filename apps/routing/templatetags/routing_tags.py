"""Template helpers of routing."""

from django import template

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role

register = template.Library()


@register.filter
def manages_routing(user) -> bool:
    """{% if user|manages_routing %}: managers and admins see the routing pages."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})
