from django import template

from apps.accounts.choices import Role
from apps.accounts.selectors import user_has_role

register = template.Library()


@register.filter
def works_leads(user) -> bool:
    """{% if user|works_leads %}: the Queue link; a privacy officer alone has no leads."""
    return user_has_role(
        user=user, roles={Role.INTAKE_COORDINATOR, Role.LIAISON, Role.MANAGER, Role.ADMIN}
    )


@register.filter
def sets_up(user) -> bool:
    """{% if user|sets_up %}: the Setup menu (managers and admins)."""
    return user_has_role(user=user, roles={Role.MANAGER, Role.ADMIN})
