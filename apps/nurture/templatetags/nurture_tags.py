"""Template helpers of nurture."""

from django import template

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role

register = template.Library()


@register.filter
def manages_nurture(user) -> bool:
    """{% if user|manages_nurture %}: managers and admins build nurture tracks."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})
