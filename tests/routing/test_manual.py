"""Managers re-route a lead or reassign it by hand, with the reason on the timeline."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.leads.choices import ActivityKind
from apps.routing.assignment import lead_reassign
from apps.routing.models import RoutingWait
from apps.routing.services import lead_reroute, lead_route
from tests.factories import LeadFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


def test_manual_reassignment_records_who_and_why(team, staff, manager, fallback_team):
    lead = LeadFactory()
    RoutingRuleFactory(target_team=team)
    staff(team)
    lead_route(lead_id=lead.pk)
    covering = staff(fallback_team, first_name="Fay", last_name="Wong")

    lead_reassign(lead=lead, team=fallback_team, owner=covering, actor=manager,
                  reason="Fay knows this family")  # fmt: skip

    lead.refresh_from_db()
    assert (lead.team, lead.owner) == (fallback_team, covering)
    entry = lead.activities.filter(kind=ActivityKind.ASSIGNMENT).latest("id")
    assert entry.author == manager
    assert entry.body == (
        "Reassigned by hand to Fay Wong in Central intake by Maria Manager. "
        "Reason: Fay knows this family"
    )
    assert entry.details["manual"] is True
    assert entry.details["reason"] == "Fay knows this family"


def test_manual_reassignment_needs_a_reason(team, manager):
    lead = LeadFactory()

    with pytest.raises(ValidationError) as error:
        lead_reassign(lead=lead, team=team, owner=None, actor=manager, reason="  ")

    assert "reason" in error.value.message_dict


def test_reassigning_a_never_routed_lead_starts_its_clock_and_stops_the_sweep(team, staff, manager):
    lead = LeadFactory()
    member = staff(team)

    lead_reassign(lead=lead, team=team, owner=member, actor=manager, reason="Walk-in")

    lead.refresh_from_db()
    assert lead.routed_at is not None
    assert lead.sla_due_at is not None


def test_reassigning_a_waiting_lead_ends_its_wait(team, staff, manager, fallback_team):
    RoutingRuleFactory(target_team=team)
    staff(team, is_on_shift=False)
    staff(fallback_team, is_on_shift=False)
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)
    member = staff(team)

    lead_reassign(lead=lead, team=team, owner=member, actor=manager, reason="Covering")

    assert not RoutingWait.objects.filter(lead=lead).exists()


def test_reroute_runs_the_rules_again_and_records_the_reason(team, staff, manager, fallback_team):
    RoutingRuleFactory(target_team=team)
    first = staff(team, first_name="Bob", last_name="Stone")
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)
    first.on_leave = True
    first.save()
    second = staff(team, first_name="Ana", last_name="Lopez")

    lead_reroute(lead=lead, actor=manager, reason="Bob is on leave")

    lead.refresh_from_db()
    assert lead.owner == second
    entry = lead.activities.filter(kind=ActivityKind.ASSIGNMENT).latest("id")
    assert entry.author == manager
    assert entry.body.startswith("Routed again by Maria Manager: Bob is on leave. Rule ")
    assert "Chosen: Ana Lopez. Passed over: Bob Stone (on leave)." in entry.body
    assert entry.details["trigger"] == "reroute"


def test_reroute_leaves_the_lead_out_of_its_owners_load(team, staff, manager, fallback_team):
    RoutingRuleFactory(target_team=team)
    only = staff(team, max_open_leads=1)
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)

    lead_reroute(lead=lead, actor=manager, reason="Check")

    lead.refresh_from_db()
    assert lead.owner == only


def test_reroute_does_not_restart_the_response_clock(team, staff, manager, fallback_team):
    RoutingRuleFactory(target_team=team)
    staff(team)
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)
    lead.refresh_from_db()
    due, routed = lead.sla_due_at, lead.routed_at

    lead_reroute(lead=lead, actor=manager, reason="Check")

    lead.refresh_from_db()
    assert (lead.sla_due_at, lead.routed_at) == (due, routed)


def test_reassign_view_records_the_reason(client, team, staff, manager):
    member = staff(team)
    lead = LeadFactory()
    client.force_login(manager)

    response = client.post(
        reverse("routing:lead_reassign", args=[lead.pk]),
        {"team": team.pk, "owner": member.pk, "reason": "Speaks the family's dialect"},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == member
    assert lead.activities.latest("id").details["reason"] == "Speaks the family's dialect"


def test_reassign_view_refuses_an_owner_outside_the_team(client, team, staff, manager):
    outsider = staff(TeamFactory(name="Spine", slug="spine"))
    lead = LeadFactory()
    client.force_login(manager)

    response = client.post(
        reverse("routing:lead_reassign", args=[lead.pk]),
        {"team": team.pk, "owner": outsider.pk, "reason": "x"},
    )

    assert response.status_code == 400
    assert "owner" in response.context["reassign_form"].errors
    lead.refresh_from_db()
    assert lead.owner is None


def test_reroute_view_without_a_reason_shows_the_error(client, manager):
    lead = LeadFactory()
    client.force_login(manager)

    response = client.post(reverse("routing:lead_reroute", args=[lead.pk]), {"reason": ""})

    assert response.status_code == 400
    assert "reason" in response.context["reroute_form"].errors


@pytest.mark.parametrize("name", ["routing:lead", "routing:lead_reroute", "routing:lead_reassign"])
def test_lead_routing_pages_are_for_managers_only(client, coordinator, name):
    lead = LeadFactory()
    client.force_login(coordinator)

    assert client.post(reverse(name, args=[lead.pk]), {"reason": "x"}).status_code == 403


def test_lead_routing_page_shows_the_decisions(client, team, staff, manager, fallback_team):
    RoutingRuleFactory(name="Everything", target_team=team)
    staff(team, first_name="Ana", last_name="Lopez")
    lead = LeadFactory()
    lead_route(lead_id=lead.pk)
    client.force_login(manager)

    response = client.get(reverse("routing:lead", args=[lead.pk]))

    assert response.status_code == 200
    assert "Chosen: Ana Lopez." in response.content.decode()
