"""Which rule matches a lead: every condition kind, rule order, disabled rules."""

import pytest

from apps.leads.models import Lead
from apps.referral_sources.models import ReferralSourceKind
from apps.routing.decision import LeadFacts, rule_mismatch
from apps.routing.services import lead_route, routing_rule_move, routing_rule_set_enabled
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
)
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fallback_team, staff):
    world = {
        "cardio": ServiceLineFactory(slug="cardiology", name="Cardiology"),
        "ortho": ServiceLineFactory(slug="orthopedics", name="Orthopedics"),
        "north": LocationFactory(slug="north", name="North Campus"),
        "south": LocationFactory(slug="south", name="South Campus"),
        "special": TeamFactory(name="Special intake", slug="special"),
    }
    staff(world["special"])
    staff(fallback_team)
    return world


def make_lead(world, *, service_line="ortho", location="south", language="en",
              referral_source_kind=None, **fields):  # fmt: skip
    referral_source = None
    if referral_source_kind:
        referral_source = ReferralSourceFactory(
            kind=referral_source_kind,
            npi=None if referral_source_kind != ReferralSourceKind.PROVIDER else "1234567893",
        )
    return LeadFactory(
        service_line=world[service_line],
        location=world[location] if location else None,
        person=PersonFactory(preferred_language=language),
        referral_source=referral_source,
        **fields,
    )


def rule_for(world, **conditions):
    for name in ("service_lines", "locations"):
        if name in conditions:
            conditions[name] = [world[key] for key in conditions[name]]
    return RoutingRuleFactory(target_team=world["special"], **conditions)


CONDITION_CASES = [
    # (case, rule conditions, lead fields, matches)
    ("no conditions match any lead", {}, {}, True),
    ("service line in list", {"service_lines": ["cardio", "ortho"]},
     {"service_line": "ortho"}, True),
    ("service line not in list", {"service_lines": ["cardio"]}, {"service_line": "ortho"}, False),
    ("location in list", {"locations": ["north"]}, {"location": "north"}, True),
    ("location not in list", {"locations": ["north"]}, {"location": "south"}, False),
    ("location not given", {"locations": ["north"]}, {"location": None}, False),
    ("lead type", {"lead_types": ["physician_referral"]},
     {"lead_type": "physician_referral"}, True),
    ("other lead type", {"lead_types": ["physician_referral"]}, {"lead_type": "patient"}, False),
    ("channel", {"channels": ["phone", "chat"]}, {"channel": "chat"}, True),
    ("other channel", {"channels": ["phone"]}, {"channel": "web_form"}, False),
    ("urgency", {"urgencies": ["urgent"]}, {"urgency": "urgent"}, True),
    ("other urgency", {"urgencies": ["urgent"]}, {"urgency": "routine"}, False),
    ("preferred language", {"languages": ["es"]}, {"language": "es"}, True),
    ("other language", {"languages": ["es"]}, {"language": "en"}, False),
    ("referral source kind", {"referral_source_kinds": ["case_manager"]},
     {"referral_source_kind": "case_manager"}, True),
    ("other referral source kind", {"referral_source_kinds": ["case_manager"]},
     {"referral_source_kind": "employer"}, False),
    ("no referral source", {"referral_source_kinds": ["case_manager"]}, {}, False),
    ("all conditions hold", {"service_lines": ["cardio"], "locations": ["north"],
     "lead_types": ["patient"], "channels": ["phone"], "urgencies": ["soon"], "languages": ["es"],
     "referral_source_kinds": ["practice"]},
     {"service_line": "cardio", "location": "north", "lead_type": "patient", "channel": "phone",
      "urgency": "soon", "language": "es", "referral_source_kind": "practice"}, True),
    ("all but one condition hold", {"service_lines": ["cardio"], "channels": ["phone"],
     "languages": ["es"]}, {"service_line": "cardio", "channel": "phone", "language": "vi"}, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("conditions", "lead_fields", "matches"),
    [case[1:] for case in CONDITION_CASES],
    ids=[case[0] for case in CONDITION_CASES],
)
def test_rule_conditions_decide_the_team(world, fallback_team, conditions, lead_fields, matches):
    rule_for(world, **conditions)
    lead = make_lead(world, **lead_fields)

    lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.team == (world["special"] if matches else fallback_team)
    assert lead.routed_at is not None


MISMATCH_CASES = [
    ({"service_lines": ["cardio"]}, {"service_line": "ortho"},
     "service line is Orthopedics, not Cardiology"),
    ({"locations": ["north", "south"]}, {"location": None},
     "location is not given, not North Campus or South Campus"),
    ({"lead_types": ["employer", "event"]}, {"lead_type": "patient"},
     "lead type is Patient, not Employer or Event"),
    ({"channels": ["phone"]}, {"channel": "chat"}, "channel is Chat, not Phone"),
    ({"urgencies": ["urgent"]}, {"urgency": "routine"}, "urgency is Routine, not Urgent"),
    ({"languages": ["es", "vi"]}, {"language": "en"},
     "language is English, not Spanish or Vietnamese"),
    ({"referral_source_kinds": ["case_manager"]}, {},
     "referral source is none, not Case manager"),
]  # fmt: skip


@pytest.mark.parametrize(("conditions", "lead_fields", "reason"), MISMATCH_CASES)
def test_a_rule_that_does_not_match_says_why(world, conditions, lead_fields, reason):
    rule = rule_for(world, **conditions)
    lead = Lead.objects.select_related("service_line", "location", "person", "referral_source").get(
        pk=make_lead(world, **lead_fields).pk
    )

    assert rule_mismatch(rule=rule, facts=LeadFacts.from_lead(lead)) == reason


def test_first_matching_rule_wins(world):
    second_team = TeamFactory(name="Cardiac nurses", slug="cardiac-nurses")
    RoutingRuleFactory(name="Cardiology", position=1, target_team=world["special"],
                       service_lines=[world["cardio"]])  # fmt: skip
    RoutingRuleFactory(name="Everything", position=2, target_team=second_team)
    lead = make_lead(world, service_line="cardio")

    decision = lead_route(lead_id=lead.pk)

    assert decision.rule.name == "Cardiology"
    assert lead.__class__.objects.get(pk=lead.pk).team == world["special"]


def test_moving_a_rule_up_changes_which_one_wins(world, staff):
    second_team = TeamFactory(name="Cardiac nurses", slug="cardiac-nurses")
    staff(second_team)
    RoutingRuleFactory(name="Cardiology", position=1, target_team=world["special"])
    everything = RoutingRuleFactory(name="Everything", position=2, target_team=second_team)

    routing_rule_move(rule=everything, direction="up")
    lead = make_lead(world, service_line="cardio")
    lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.team == second_team
    assert everything.position == 1


def test_disabled_rules_are_skipped(world, fallback_team):
    rule = rule_for(world, service_lines=["ortho"])
    routing_rule_set_enabled(rule=rule, is_enabled=False)
    lead = make_lead(world, service_line="ortho")

    decision = lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.team == fallback_team
    assert decision.rules_checked[0].outcome == "disabled"


def test_a_rule_whose_team_is_inactive_is_skipped(world, fallback_team):
    rule_for(world)
    world["special"].is_active = False
    world["special"].save()
    lead = make_lead(world)

    lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.team == fallback_team


def test_no_matching_rule_sends_the_lead_to_the_fallback_team(world, fallback_team):
    rule_for(world, service_lines=["cardio"])
    lead = make_lead(world, service_line="ortho")

    decision = lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.team == fallback_team
    assert lead.owner is not None
    assert decision.explanation().startswith("No routing rule matched.")
