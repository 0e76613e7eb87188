"""The decision on the lead's timeline, in plain words and as data."""

import pytest
from django.utils import timezone

from apps.leads.choices import ActivityKind
from apps.routing.choices import Strategy
from apps.routing.services import lead_route
from tests.factories import LeadFactory, PersonFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


def test_the_timeline_says_which_rule_strategy_and_member_and_who_was_passed_over(
    team, staff, fallback_team
):
    RoutingRuleFactory(name="Spanish cardiology", position=1, target_team=team,
                       strategy=Strategy.ROUND_ROBIN, match_language=True)  # fmt: skip
    staff(team, first_name="Bob", last_name="Stone", languages=["es"], is_on_shift=False)
    full = staff(team, first_name="Carol", last_name="Diaz", languages=["es"], max_open_leads=12)
    LeadFactory.create_batch(12, owner=full, routed_at=timezone.now())
    staff(team, first_name="Dan", last_name="Lee", languages=["en"])
    staff(team, first_name="Eve", last_name="Park", languages=["es"], on_leave=True)
    ana = staff(team, first_name="Ana", last_name="Lopez", languages=["en", "es"])
    lead = LeadFactory(person=PersonFactory(preferred_language="es"))

    lead_route(lead_id=lead.pk)

    entry = lead.activities.get(kind=ActivityKind.ASSIGNMENT)
    assert entry.body == (
        "Rule 1 “Spanish cardiology” matched. Strategy: round robin in Cardiology intake. "
        "Chosen: Ana Lopez. Passed over: Bob Stone (off shift); Carol Diaz (at capacity "
        "(12/12)); Dan Lee (doesn't speak Spanish); Eve Park (on leave)."
    )
    assert entry.author is None
    assert entry.details["rule_id"] is not None
    assert entry.details["strategy"] == "round_robin"
    assert entry.details["chosen"] == {"id": ana.pk, "name": "Ana Lopez"}
    assert [(p["name"], p["reason"]) for p in entry.details["passed_over"]] == [
        ("Bob Stone", "off shift"),
        ("Carol Diaz", "at capacity (12/12)"),
        ("Dan Lee", "doesn't speak Spanish"),
        ("Eve Park", "on leave"),
    ]
    assert entry.details["to_owner_id"] == ana.pk
    assert entry.details["to_team_id"] == team.pk


def test_the_timeline_explains_a_fallback(team, staff, fallback_team):
    RoutingRuleFactory(name="Cardiology", position=2, target_team=team)
    staff(team, first_name="Bob", last_name="Stone", is_on_shift=False)
    staff(fallback_team, first_name="Fay", last_name="Wong")
    lead = LeadFactory()

    lead_route(lead_id=lead.pk)

    # The only rule is rule 1, as the rules page numbers it, whatever its stored position.
    assert lead.activities.get(kind=ActivityKind.ASSIGNMENT).body == (
        "Rule 1 “Cardiology” matched. Strategy: round robin in Cardiology intake. Nobody in "
        "Cardiology intake is available. Passed over: Bob Stone (off shift). The lead goes to "
        "the fallback team Central intake. Strategy: round robin in Central intake. "
        "Chosen: Fay Wong."
    )


def test_the_timeline_explains_an_urgent_lead_that_does_not_fit(team, staff, fallback_team):
    RoutingRuleFactory(name="All", position=1, target_team=team, urgent_weight=3,
                       strategy=Strategy.LEAST_LOAD)  # fmt: skip
    nearly_full = staff(team, first_name="Gus", last_name="Hall", max_open_leads=5)
    LeadFactory.create_batch(3, owner=nearly_full, routed_at=timezone.now())
    staff(team, first_name="Ida", last_name="Ray")
    lead = LeadFactory(urgency="urgent")

    lead_route(lead_id=lead.pk)

    body = lead.activities.get(kind=ActivityKind.ASSIGNMENT).body
    assert "Strategy: least open load in Cardiology intake. Chosen: Ida Ray." in body
    assert "Gus Hall (no room for an urgent lead (3/5, urgent counts 3))" in body


def test_the_timeline_entry_holds_no_personal_data_of_the_lead(team, staff, fallback_team):
    RoutingRuleFactory(target_team=team)
    staff(team)
    person = PersonFactory(first_name="Zebediah", last_name="Quill")
    lead = LeadFactory(person=person)

    lead_route(lead_id=lead.pk)

    entry = lead.activities.get(kind=ActivityKind.ASSIGNMENT)
    text = f"{entry.body} {entry.details}"
    assert "Zebediah" not in text
    assert "Quill" not in text
    assert str(person.phone) not in text
