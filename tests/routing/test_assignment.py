"""Assignment by hand (apps.routing.assignment): staff claim, managers reassign with a
reason, the owner is always a member of the lead's team, and every path has the same
side effects on the timeline, the routing wait and the response clock."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.leads.models import Activity
from apps.leads.services import lead_assign
from apps.routing.assignment import lead_claim, lead_reassign
from apps.routing.choices import Strategy
from apps.routing.models import RoutingWait
from apps.routing.services import lead_route
from tests.factories import LeadFactory, TeamFactory, UserFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Ortho intake", slug="ortho-intake")


def test_a_coordinator_claims_a_lead_nobody_owns_in_their_team(team, staff, coordinator):
    staff_member = staff(team)
    lead = LeadFactory(owner=None, team=team)

    record = lead_claim(lead=lead, actor=staff_member)

    lead.refresh_from_db()
    assert lead.owner == staff_member
    assert (record.author, record.body) == (staff_member, "Claimed")


@pytest.mark.parametrize(
    ("owned_by_colleague", "new_owner", "moves_team"),
    [(True, "me", False), (False, "colleague", False), (False, "me", True)],
    ids=["take a colleague's lead", "hand a lead to someone", "claim into another team"],
)
def test_anything_but_a_claim_is_for_managers(
    team, staff, owned_by_colleague, new_owner, moves_team
):
    me, colleague = staff(team), staff(team)
    lead = LeadFactory(owner=colleague if owned_by_colleague else None, team=team)

    with pytest.raises(PermissionDenied):
        lead_reassign(
            lead=lead,
            owner=me if new_owner == "me" else colleague,
            team=TeamFactory() if moves_team else team,
            actor=me,
            reason="I have time",
        )

    assert not Activity.objects.filter(lead=lead, kind="assignment").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_manager_reassigns_only_with_a_reason(team, staff, manager, reason):
    lead = LeadFactory(owner=staff(team), team=team)

    with pytest.raises(ValidationError) as refused:
        lead_reassign(lead=lead, owner=staff(team), team=team, actor=manager, reason=reason)

    assert "reason" in refused.value.message_dict


def test_a_manager_cannot_give_a_lead_to_someone_outside_its_team(team, staff, manager):
    outsider = staff(TeamFactory(name="Spine intake", slug="spine"), first_name="Sam",
                     last_name="Outer")  # fmt: skip
    lead = LeadFactory(owner=None, team=team)

    with pytest.raises(ValidationError) as refused:
        lead_reassign(lead=lead, owner=outsider, team=team, actor=manager, reason="Covering")

    assert refused.value.message_dict == {"owner": ["Sam Outer is not a member of Ortho intake."]}
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Activity.objects.filter(lead=lead, kind="assignment").exists()


def test_a_manager_cannot_claim_a_lead_in_a_team_they_are_not_in(team, manager):
    lead = LeadFactory(owner=None, team=team)

    with pytest.raises(ValidationError) as refused:
        lead_claim(lead=lead, actor=manager)

    assert "owner" in refused.value.message_dict


def test_no_write_of_an_owner_skips_the_membership_rule(team):
    lead = LeadFactory(owner=None, team=None)

    with pytest.raises(ValidationError) as refused:
        lead_assign(lead=lead, owner=UserFactory(), team=team, actor=None)

    assert "owner" in refused.value.message_dict


def test_assigning_the_current_owner_and_team_again_is_refused(team, staff, manager):
    member = staff(team)
    lead = LeadFactory(owner=member, team=team)

    with pytest.raises(ValidationError) as refused:
        lead_reassign(lead=lead, owner=member, team=team, actor=manager, reason="again")

    assert "owner" in refused.value.message_dict


def test_claiming_a_waiting_lead_ends_its_wait(team, staff, fallback_team):
    RoutingRuleFactory(target_team=team)
    staff(team, is_on_shift=False)
    coordinator = staff(fallback_team, is_on_shift=False)  # nobody on shift: the lead waits
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)
    assert RoutingWait.objects.filter(lead=lead).exists()

    lead_claim(lead=lead, actor=coordinator)

    assert not RoutingWait.objects.filter(lead=lead).exists()


def test_claiming_a_lead_routing_has_not_reached_starts_its_clock(team, staff):
    coordinator = staff(team)
    lead = LeadFactory(owner=None, team=team, routed_at=None)

    lead_claim(lead=lead, actor=coordinator)

    lead.refresh_from_db()
    assert lead.routed_at is not None and lead.sla_due_at is not None


def test_a_fixed_owner_who_has_left_the_team_gets_no_lead(team, staff, fallback_team):
    former = staff(TeamFactory(name="Spine intake", slug="spine"))
    RoutingRuleFactory(target_team=team, strategy=Strategy.FIXED_OWNER, fixed_owner=former)
    covering = staff(fallback_team)
    lead = LeadFactory()

    lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert (lead.team, lead.owner) == (fallback_team, covering)
