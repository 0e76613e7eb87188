"""Routing reads its rules and the fallback team from the database for every lead: a
change applies to the next lead, whichever process made it (a bulk write, which sends
no model signal, stands for another process)."""

import pytest

from apps.routing.models import RoutingRule
from apps.routing.selectors import routing_dry_run
from apps.routing.services import (
    lead_route,
    routing_rule_move,
    routing_rule_set_enabled,
    routing_rule_update,
)
from apps.teams.models import Team
from tests.factories import LeadFactory, ServiceLineFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fallback_team, staff):
    world = {
        "cardio": ServiceLineFactory(slug="cardiology", name="Cardiology"),
        "ortho": ServiceLineFactory(slug="orthopedics", name="Orthopedics"),
        "heart": TeamFactory(name="Heart team", slug="heart"),
        "bones": TeamFactory(name="Bones team", slug="bones"),
        "fallback": fallback_team,
    }
    for key in ("heart", "bones", "fallback"):
        staff(world[key])
    return world


def routed_team(world, service_line="cardio") -> Team:
    lead = LeadFactory(service_line=world[service_line])
    lead_route(lead_id=lead.pk)
    lead.refresh_from_db()
    return lead.team


@pytest.fixture
def warm(world):
    """One lead routed (to the fallback team: no rules yet)."""
    assert routed_team(world) == world["fallback"]


def test_a_new_rule_routes_the_next_lead_at_once(world, warm):
    RoutingRuleFactory(target_team=world["heart"], service_lines=[world["cardio"]])

    assert routed_team(world) == world["heart"]


def test_a_rule_switched_off_stops_matching_at_once(world, warm):
    rule = RoutingRuleFactory(target_team=world["heart"])
    assert routed_team(world) == world["heart"]

    routing_rule_set_enabled(rule=rule, is_enabled=False)

    assert routed_team(world) == world["fallback"]


def test_a_rule_moved_up_wins_at_once(world, warm):
    RoutingRuleFactory(name="Heart", position=1, target_team=world["heart"])
    bones = RoutingRuleFactory(name="Bones", position=2, target_team=world["bones"])
    assert routed_team(world) == world["heart"]

    routing_rule_move(rule=bones, direction="up")  # renumbers with UPDATE: no signal

    assert routed_team(world) == world["bones"]


def test_service_lines_set_on_a_rule_apply_at_once(world, warm):
    rule = RoutingRuleFactory(target_team=world["heart"], service_lines=[world["ortho"]])
    assert routed_team(world, "cardio") == world["fallback"]

    rule.service_lines.set([world["cardio"]])  # the rule row itself is not saved

    assert routed_team(world, "cardio") == world["heart"]


def test_a_rule_edited_through_the_service_retargets_at_once(world, warm):
    rule = RoutingRuleFactory(target_team=world["heart"], service_lines=[world["cardio"]])
    assert routed_team(world) == world["heart"]

    routing_rule_update(rule=rule, data={"target_team": world["bones"]})

    assert routed_team(world) == world["bones"]


def test_a_deactivated_team_is_skipped_at_once(world, warm):
    RoutingRuleFactory(target_team=world["heart"])
    assert routed_team(world) == world["heart"]

    world["heart"].is_active = False
    world["heart"].save()

    assert routed_team(world) == world["fallback"]


def test_a_new_fallback_team_takes_leads_at_once(world, warm):
    world["fallback"].is_fallback = False
    world["fallback"].save()
    world["bones"].is_fallback = True
    world["bones"].save()

    assert routed_team(world) == world["bones"]


def test_a_rule_added_elsewhere_applies_to_the_next_lead(world, warm):
    # bulk_create sends no signals: as if another process had added it.
    RoutingRule.objects.bulk_create(
        [RoutingRule(name="Heart", position=1, target_team=world["heart"])]
    )

    assert routed_team(world) == world["heart"]


def test_the_dry_run_explains_what_routing_does_with_the_same_rules(world, warm):
    RoutingRuleFactory(name="Heart", target_team=world["heart"], service_lines=[world["cardio"]])
    lead = LeadFactory(service_line=world["cardio"])

    from apps.routing.decision import LeadFacts

    explained = routing_dry_run(
        facts=LeadFacts(service_line_id=world["cardio"].pk, service_line_name="Cardiology")
    )
    lead_route(lead_id=lead.pk)
    lead.refresh_from_db()

    assert explained.team == lead.team == world["heart"]
    assert explained.rule.name == "Heart"
