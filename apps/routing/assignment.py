"""Assignment by hand: a member of staff claiming a lead nobody owns, or a manager giving
a lead to a team and someone in it. The one service behind the lead page, the routing
page and the staff API, so each path has the same rules and the same side effects.

Rules: a claim takes a lead nobody owns, in its own team, for oneself; anything else is
a manager's or admin's, with a reason; the owner is a member of the team (enforced by
apps.leads.services.lead_assign, which every write of an owner goes through).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.core.conflicts import StateConflict
from apps.leads.models import Activity, Lead
from apps.leads.services import lead_assign
from apps.routing.models import RoutingWait
from apps.sla.services import lead_sla_start
from apps.teams.models import Team

CLAIM_NOTE = "Claimed"


@transaction.atomic
def lead_reassign(
    *, lead: Lead, team: Team | None, owner: User | None, actor: User, reason: str = ""
) -> Activity:
    """Give a lead to a team (and an owner in it, or its queue) by hand.

    Side effects: the assignment on the timeline (who, to whom, why); the lead's wait
    in a team's queue ends; a lead routing never reached starts its response clock
    from its inquiry. Raises PermissionDenied, or ValidationError keyed by field.
    """
    # The row lock makes a second claim or reassignment wait and see the first one.
    locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    is_claim = _assignment_check(
        lead=locked, team=team, owner=owner, actor=actor, reason=reason.strip()
    )
    if is_claim:
        body, details = CLAIM_NOTE, {"manual": True}
    else:
        to_whom = f"{owner.display_name} in {team.name}" if owner else f"{team.name}'s queue"
        body = f"Reassigned by hand to {to_whom} by {actor.display_name}. Reason: {reason.strip()}"
        details = {"manual": True, "reason": reason.strip()}
    activity = lead_assign(
        lead=locked, owner=owner, team=team, actor=actor, body=body, details=details
    )
    _hand_assignment_effects(lead=locked, now=timezone.now())
    lead.owner, lead.team, lead.routed_at = owner, team, locked.routed_at
    return activity


@transaction.atomic
def lead_claim(*, lead: Lead, actor: User) -> Activity:
    """Take a lead nobody owns for myself, in its team (see lead_reassign).

    Two coordinators clicking Claim at once: the second one waits for the first one's
    row lock and then gets a ValidationError naming who has it, instead of taking it.
    """
    locked = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=lead.pk)
    if locked.owner_id is not None and locked.owner_id != actor.pk:
        raise StateConflict(
            {"owner": f"{locked.owner.display_name} has already claimed this lead."}
        )
    if locked.closed_at is not None:
        raise StateConflict({"owner": "This lead is closed."})
    return lead_reassign(lead=locked, team=locked.team, owner=actor, actor=actor)


def _assignment_check(
    *, lead: Lead, team: Team | None, owner: User | None, actor: User, reason: str
) -> bool:
    """Who may do this assignment; True when it is a claim."""
    errors = {}
    if team is not None and not team.is_active:
        errors["team"] = f"{team.name} is not an active team."
    if owner is not None and not owner.is_active:
        errors["owner"] = f"{owner.display_name} is no longer active."
    if errors:
        raise ValidationError(errors)
    owner_id = owner.pk if owner else None
    team_id = team.pk if team else None
    is_claim = (
        owner_id == actor.pk and lead.owner_id in (None, actor.pk) and team_id == lead.team_id
    )
    if is_claim:
        return True
    if not user_sees_all_leads(user=actor):
        raise PermissionDenied("Only managers reassign leads; you can claim one nobody owns.")
    if not reason:
        raise ValidationError({"reason": "Say why the lead is reassigned."})
    if team is None:
        raise ValidationError({"team": "Choose the team the lead goes to."})
    return False


def _hand_assignment_effects(*, lead: Lead, now: dt.datetime) -> None:
    """What an assignment by hand settles besides the owner: the lead no longer waits
    for routing to find someone, and its response clock runs."""
    RoutingWait.objects.filter(lead=lead).delete()
    if lead.routed_at is None:
        # The sweep takes only leads with no routed_at: this one is settled by hand.
        Lead.objects.filter(pk=lead.pk).update(routed_at=now)
        lead.routed_at = now
        lead_sla_start(lead=lead, started_at=lead.created_at)
