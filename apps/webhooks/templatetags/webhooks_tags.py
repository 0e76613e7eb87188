"""Template helpers of webhooks."""

from django import template

from apps.webhooks.selectors import user_manages_webhooks

register = template.Library()


@register.filter
def manages_webhooks(user) -> bool:
    """{% if user|manages_webhooks %}: managers and admins see the webhook pages."""
    return user_manages_webhooks(user=user)
