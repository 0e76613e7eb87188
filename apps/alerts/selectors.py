"""Reads of alerts, always for the asking user, and who an alert goes to."""

from django.db.models import QuerySet

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.alerts.models import Alert
from apps.leads.models import Lead

UNREAD_BADGE_CAP = 99


def alert_list_for_user(*, user: User) -> QuerySet[Alert]:
    """The user's own alerts, newest first, with what a row shows in the same query."""
    return (
        Alert.objects.filter(recipient=user)
        .select_related("lead__service_line", "activity")
        .order_by("-created_at", "-id")
    )


def alert_unread_count(*, user: User) -> int:
    """How many of the user's alerts are unread, counted up to UNREAD_BADGE_CAP + 1.

    Bounded so the badge on every page stays one cheap index read however many alerts
    pile up; the template shows "99+" past the cap.
    """
    return (
        Alert.objects.filter(recipient=user, read_at__isnull=True)
        .order_by()
        .values("id")[: UNREAD_BADGE_CAP + 1]
        .count()
    )


def alert_list_for_lead(*, lead: Lead) -> QuerySet[Alert]:
    """Every alert raised about a lead, newest first (for the lead's timeline)."""
    return (
        Alert.objects.filter(lead=lead)
        .select_related("recipient", "activity")
        .order_by("-created_at", "-id")
    )


def managers_to_alert() -> list[User]:
    """Active staff in the manager role: they hear of every breach."""
    return list(
        User.objects.filter(groups__name=Role.MANAGER, is_active=True).distinct().order_by("id")
    )


def lead_owner_or_team_lead(*, lead: Lead) -> list[User]:
    """Who answers for a waiting lead: its owner, or its team's lead while unowned.

    Empty when the lead has neither (not routed yet, or a team without a lead).
    """
    if lead.owner_id is not None and lead.owner.is_active:
        return [lead.owner]
    team_lead = lead.team.team_lead if lead.team_id is not None else None
    if team_lead is not None and team_lead.is_active:
        return [team_lead]
    return []


def lead_team_lead_or_managers(*, lead: Lead) -> list[User]:
    """The lead's team lead, or the managers when the team has none (or no team yet)."""
    team_lead = lead.team.team_lead if lead.team_id is not None else None
    if team_lead is not None and team_lead.is_active:
        return [team_lead]
    return managers_to_alert()
