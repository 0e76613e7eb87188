"""lead_assign: routing assigns freely; staff claim, managers reassign with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.choices import Role
from apps.leads.models import Activity
from apps.leads.services import lead_assign
from tests.factories import LeadFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.INTAKE_COORDINATOR])


@pytest.fixture
def manager(db):
    return UserFactory(roles=[Role.MANAGER])


def test_routing_assigns_without_an_actor_or_reason(team, coordinator):
    lead = LeadFactory(owner=None, team=None)

    record = lead_assign(lead=lead, owner=coordinator, team=team, actor=None)

    lead.refresh_from_db()
    assert (lead.owner, lead.team) == (coordinator, team)
    assert record.author is None
    assert record.details == {
        "from_owner_id": None,
        "to_owner_id": coordinator.pk,
        "from_team_id": None,
        "to_team_id": team.pk,
    }


def test_a_coordinator_claims_a_lead_nobody_owns(team, coordinator):
    lead = LeadFactory(owner=None, team=team)

    lead_assign(lead=lead, owner=coordinator, team=team, actor=coordinator)

    lead.refresh_from_db()
    assert lead.owner == coordinator


@pytest.mark.parametrize(
    ("owned_by_colleague", "new_owner", "moves_team"),
    [(True, "me", False), (False, "colleague", False), (False, "me", True)],
    ids=["take a colleague's lead", "hand a lead to someone", "claim into another team"],
)
def test_anything_but_a_claim_is_for_managers(
    team, coordinator, owned_by_colleague, new_owner, moves_team
):
    colleague = UserFactory()
    lead = LeadFactory(owner=colleague if owned_by_colleague else None, team=team)

    with pytest.raises(PermissionDenied):
        lead_assign(
            lead=lead,
            owner=coordinator if new_owner == "me" else colleague,
            team=TeamFactory() if moves_team else team,
            actor=coordinator,
            reason="I have time",
        )

    assert not Activity.objects.filter(lead=lead, kind="assignment").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_manager_reassigns_only_with_a_reason(team, coordinator, manager, reason):
    lead = LeadFactory(owner=UserFactory(), team=team)

    with pytest.raises(ValidationError) as refused:
        lead_assign(lead=lead, owner=coordinator, team=team, actor=manager, reason=reason)

    assert "reason" in refused.value.message_dict


def test_a_manager_reassignment_is_recorded_with_its_reason(team, coordinator, manager):
    previous = UserFactory()
    lead = LeadFactory(owner=previous, team=team)

    record = lead_assign(
        lead=lead, owner=coordinator, team=team, actor=manager, reason="Speaks Spanish"
    )

    assert (record.author, record.body) == (manager, "Speaks Spanish")
    assert record.details["from_owner_id"] == previous.pk


def test_assigning_the_current_owner_and_team_again_is_refused(team, coordinator, manager):
    lead = LeadFactory(owner=coordinator, team=team)

    with pytest.raises(ValidationError) as refused:
        lead_assign(lead=lead, owner=coordinator, team=team, actor=manager, reason="again")

    assert "owner" in refused.value.message_dict
