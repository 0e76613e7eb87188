"""The unread-alert count shown in the top bar of every page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.alerts.selectors import UNREAD_BADGE_CAP, alert_unread_count


def unread_alerts(request: HttpRequest) -> dict:
    """`alerts_unread` (int, lazily counted: one query only on pages that show it) and
    `alerts_unread_cap` for the "99+" display."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "alerts_unread": SimpleLazyObject(lambda: alert_unread_count(user=user)),
        "alerts_unread_cap": UNREAD_BADGE_CAP,
    }
