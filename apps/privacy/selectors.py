"""Reads of emergency access."""

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.privacy.models import EmergencyAccess


def emergency_access_active(*, user: User, lead_id: int) -> EmergencyAccess | None:
    """The user's unexpired emergency access to this lead, if any."""
    return (
        EmergencyAccess.objects.filter(user=user, lead_id=lead_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def emergency_access_holders(*, lead_id: int) -> QuerySet[EmergencyAccess]:
    """Who has emergency access to the lead now (the lead page names them)."""
    return (
        EmergencyAccess.objects.filter(lead_id=lead_id, expires_at__gt=timezone.now())
        .select_related("user")
        .order_by("expires_at")
    )
