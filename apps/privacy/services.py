"""Granting emergency access (break-the-glass)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import user_has_role
from apps.alerts.choices import AlertLevel
from apps.alerts.services import alert_fire
from apps.core.conflicts import StateConflict
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to
from apps.privacy.choices import EmergencyReason
from apps.privacy.models import EmergencyAccess
from apps.teams.models import Team

# Who may break the glass: the roles that work patients' records.
EMERGENCY_ROLES = {Role.INTAKE_COORDINATOR, Role.MANAGER, Role.ADMIN}


@transaction.atomic
def emergency_access_grant(
    *, user: User, lead_id: int, reason: str, reason_text: str
) -> EmergencyAccess:
    """Open a lead outside the user's scope for BREAK_GLASS_HOURS, with a reason.

    Side effects: an alert to every privacy officer and to the user's managers (the
    leads of their teams, or every manager when they have none). Raises
    Lead.DoesNotExist for no such lead (views answer 404) and ValidationError keyed by
    field for a missing reason.
    """
    errors = {}
    if reason not in EmergencyReason.values:
        errors["reason"] = "Choose why you need this lead."
    if not reason_text.strip():
        errors["reason_text"] = "Say in a few words what the patient needs."
    if errors:
        raise ValidationError(errors)
    if not user_has_role(user=user, roles=EMERGENCY_ROLES):
        raise ValidationError({"reason": "Your role cannot open leads in an emergency."})
    lead = Lead.objects.get(pk=lead_id)
    if lead_visible_to(user=user).filter(pk=lead.pk).exists():
        raise StateConflict({"reason": "This lead is already yours to see."})
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=user,
        lead=lead,
        reason=reason,
        reason_text=reason_text.strip()[:1000],
        granted_at=now,
        expires_at=now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    alert_fire(lead=lead, level=AlertLevel.EMERGENCY_ACCESS, recipients=_to_alert(user), now=now)
    return access


def _to_alert(user: User) -> list[User]:
    officers = list(User.objects.filter(groups__name=Role.PRIVACY_OFFICER, is_active=True))
    managers = list(
        User.objects.filter(
            pk__in=Team.objects.filter(memberships__user=user, team_lead__isnull=False).values(
                "team_lead"
            ),
            is_active=True,
        ).exclude(pk=user.pk)
    )
    if not managers:
        managers = list(
            User.objects.filter(groups__name=Role.MANAGER, is_active=True).exclude(pk=user.pk)
        )
    return list({person.pk: person for person in officers + managers}.values())


@transaction.atomic
def emergency_access_review(*, access: EmergencyAccess, reviewer: User, note: str) -> None:
    """The privacy officer marks a break-the-glass use reviewed, with a note (once)."""
    if not note.strip():
        raise ValidationError({"note": "Write what you found, even briefly."})
    reviewed = EmergencyAccess.objects.filter(pk=access.pk, reviewed_at__isnull=True).update(
        reviewed_at=timezone.now(), reviewed_by=reviewer, review_note=note.strip()[:2000]
    )
    if not reviewed:
        raise ValidationError({"note": "This use was already reviewed."})
