"""Reads of leads, always scoped to what the asking user may see."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.leads.models import Activity, Lead
from apps.servicelines.models import ServiceLine
from apps.teams.selectors import team_ids_for_user


def lead_visible_to(*, user: User) -> QuerySet[Lead]:
    """Managers and admins see every lead; everyone else the leads they own, the leads
    waiting in their teams, and (liaisons) the leads from referral sources they own."""
    leads = Lead.objects.all()
    if user_sees_all_leads(user=user):
        return leads
    return leads.filter(
        Q(owner=user)
        | Q(team_id__in=team_ids_for_user(user=user))
        | Q(referral_source__owning_liaison=user)
    )


def lead_list_for_user(*, user: User) -> QuerySet[Lead]:
    """Leads for list views, with what a list row shows fetched in the same query."""
    return lead_visible_to(user=user).select_related(
        "person", "service_line", "location", "stage", "owner", "team"
    )


def lead_get_for_user(*, user: User, lead_id: int) -> Lead:
    """One lead the user may see; raises Lead.DoesNotExist otherwise (views answer 404)."""
    return (
        lead_list_for_user(user=user).select_related("caregiver", "referral_source").get(pk=lead_id)
    )


def lead_find_open_for_contact(
    *, service_line: ServiceLine, phone: str = "", email: str = ""
) -> Lead | None:
    """The open lead of a person with this phone (E.164) or email (any case) for a service
    line: a repeat inquiry joins it instead of opening a second lead."""
    contact = Q()
    if phone:
        contact |= Q(person__phone=phone)
    if email:
        contact |= Q(person_email_lower=email.lower())
    if not contact:
        return None
    return (
        Lead.objects.annotate(person_email_lower=Lower("person__email"))
        .filter(contact, service_line=service_line, closed_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def lead_timeline(*, lead: Lead) -> QuerySet[Activity]:
    """Everything that happened to a lead, newest first."""
    return lead.activities.select_related("author", "from_stage", "to_stage", "assignee").order_by(
        "-occurred_at", "-id"
    )
