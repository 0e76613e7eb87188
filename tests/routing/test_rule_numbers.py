"""One number per rule on every screen (rules page, dry run, timeline); a rule that an
earlier, broader rule leaves nothing to match is flagged; a manager sets a rule's place."""

import re

import pytest
from django.urls import reverse

from apps.routing.decision import LeadFacts
from apps.routing.models import RoutingRule
from apps.routing.selectors import routing_dry_run, routing_rule_list
from tests.factories import ServiceLineFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(fallback_team):
    """Three rules stored 10, 20, 30 apart, as the demo seeds them."""
    cardiology = ServiceLineFactory(slug="cardiology", name="Cardiology")
    oncology = ServiceLineFactory(slug="oncology", name="Oncology")
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    return {
        "oncology": RoutingRuleFactory(
            name="Oncology", position=10, target_team=fallback_team, service_lines=[oncology]
        ),
        "cardiology": RoutingRuleFactory(
            name="Cardiology", position=20, target_team=team, service_lines=[cardiology]
        ),
        "urgent cardiology": RoutingRuleFactory(
            name="Urgent cardiology",
            position=30,
            target_team=team,
            service_lines=[cardiology],
            urgencies=["urgent"],
        ),
        "line": cardiology,
    }


def test_the_rules_page_the_dry_run_and_the_timeline_give_a_rule_the_same_number(
    client, manager, rules
):
    client.force_login(manager)
    page = client.get(reverse("routing:rule_list")).content.decode()
    numbers = re.findall(r'<tr id="rule-\d+"[^>]*>\s*<td[^>]*>(\d+)</td>', page)
    assert numbers == ["1", "2", "3"]

    decision = routing_dry_run(
        facts=LeadFacts(
            service_line_id=rules["line"].pk,
            service_line_name="Cardiology",
            lead_type="patient",
            channel="web_form",
            urgency="routine",
        )
    )
    assert [(check.number, check.name) for check in decision.rules_checked] == [
        (1, "Oncology"),
        (2, "Cardiology"),
    ]
    assert decision.explanation().startswith("Rule 2 “Cardiology” matched.")


def test_a_rule_an_earlier_broader_rule_shadows_is_flagged(client, manager, rules):
    listed = {rule.name: rule for rule in routing_rule_list()}
    assert listed["Urgent cardiology"].shadowed_by.name == "Cardiology"
    assert listed["Cardiology"].shadowed_by is None
    assert listed["Oncology"].shadowed_by is None

    client.force_login(manager)
    page = client.get(reverse("routing:rule_list")).content.decode()
    assert page.count("Never matches") == 1
    assert "Rule 2 “Cardiology” comes first and takes every lead this rule would" in page


def test_a_disabled_earlier_rule_shadows_nothing(rules):
    RoutingRule.objects.filter(pk=rules["cardiology"].pk).update(is_enabled=False)
    listed = {rule.name: rule for rule in routing_rule_list()}
    assert listed["Urgent cardiology"].shadowed_by is None


def test_saving_a_rule_that_can_never_match_warns(client, manager, rules):
    client.force_login(manager)
    response = client.post(
        reverse("routing:rule_create"),
        {
            "name": "Cardiology web forms",
            "is_enabled": "on",
            "target_team": rules["cardiology"].target_team_id,
            "strategy": "round_robin",
            "urgent_weight": 2,
            "relax_after_minutes": 10,
            "service_lines": [rules["line"].pk],
            "channels": ["web_form"],
        },
        follow=True,
    )
    assert "Rule 4 “Cardiology web forms” can never match: rule 2" in response.content.decode()


def test_a_manager_sets_a_rules_place_and_the_shadow_is_gone(client, manager, rules):
    client.force_login(manager)
    response = client.post(
        reverse("routing:rule_move", args=[rules["urgent cardiology"].pk]),
        {"place": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [rule.name for rule in routing_rule_list()] == [
        "Urgent cardiology",
        "Oncology",
        "Cardiology",
    ]
    assert list(RoutingRule.objects.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    assert all(rule.shadowed_by is None for rule in routing_rule_list())


@pytest.mark.parametrize("place", ["0", "4", "first"])
def test_a_place_outside_the_list_is_refused(client, manager, rules, place):
    client.force_login(manager)
    response = client.post(
        reverse("routing:rule_move", args=[rules["oncology"].pk]), {"place": place}
    )
    assert response.status_code == 400
    assert routing_rule_list()[0].name == "Oncology"
