"""Reads behind the queue's bulk actions: the ticked leads the user may act on, and who
a lead can be given to."""

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to
from apps.teams.models import TeamMembership

# More than a long page of the queue is not a tick-box selection.
BULK_MAX_LEADS = 200


def leads_for_bulk(*, user: User, lead_ids: list[int]) -> list[Lead]:
    """The ticked leads within the user's scope, in one query. Ids outside it (another
    team's lead, a made-up number) are simply not there: nothing is done to them, and
    the answer does not tell them apart from leads that do not exist. Emergency
    (break-the-glass) access opens one lead page; it never extends to bulk actions."""
    leads = Lead.objects.select_related("team", "person", "stage", "service_line")
    return list(
        lead_visible_to(user=user, leads=leads)
        .filter(pk__in=lead_ids[:BULK_MAX_LEADS])
        .order_by("pk")
    )


def bulk_owner_choices() -> list[User]:
    """Active coordinators in an active team: whom a manager may give leads to (the
    reassignment service then checks each one is a member of each lead's team)."""
    user_ids = TeamMembership.objects.filter(
        team__is_active=True,
        user__is_active=True,
        user__groups__name=Role.INTAKE_COORDINATOR,
    ).values("user_id")
    users = User.objects.filter(pk__in=user_ids)
    return sorted(users, key=lambda user: user.display_name.lower())
