"""Template helpers of the referral pages."""

from django import template

from apps.referrals.selectors import user_works_referrals

register = template.Library()


@register.filter
def works_referrals(user) -> bool:
    """{% if user|works_referrals %}: liaisons, managers and admins see the referral pages."""
    return user_works_referrals(user=user)


HEALTH_BADGES = {"new": "", "active": "ok", "declining": "warn", "inactive": "danger"}


@register.filter
def health_badge(status: str) -> str:
    """The badge style of a health status."""
    return HEALTH_BADGES.get(status, "")


@register.filter
def get_item(mapping: dict, key):
    """{{ mapping|get_item:key }}: a dict lookup by a variable key."""
    return mapping.get(key) if mapping else None
