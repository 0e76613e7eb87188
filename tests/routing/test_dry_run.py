"""The dry run: where would this lead go, and why, without assigning anything."""

import pytest
from django.urls import reverse

from apps.leads.models import Activity, Lead
from apps.routing.decision import LeadFacts
from apps.routing.models import RoutingWait, TeamRoutingCursor
from apps.routing.selectors import routing_dry_run
from tests.factories import LeadFactory, ServiceLineFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(staff, fallback_team):
    cardiology = ServiceLineFactory(slug="cardiology", name="Cardiology")
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    oncology = ServiceLineFactory(slug="oncology", name="Oncology")
    RoutingRuleFactory(
        name="Oncology", position=1, target_team=fallback_team, service_lines=[oncology]
    )
    RoutingRuleFactory(name="Spanish cardiology", position=2, target_team=team,
                       service_lines=[cardiology], match_language=True)  # fmt: skip
    speaker = staff(team, first_name="Ana", last_name="Lopez", languages=["es"])
    staff(team, first_name="Dan", last_name="Lee", languages=["en"])
    return {"cardiology": cardiology, "team": team, "speaker": speaker}


def test_dry_run_explains_the_decision(setup):
    facts = LeadFacts(
        service_line_id=setup["cardiology"].pk,
        service_line_name="Cardiology",
        lead_type="patient",
        channel="web_form",
        urgency="routine",
        language="es",
    )

    decision = routing_dry_run(facts=facts)

    assert decision.owner == setup["speaker"]
    assert [(c.name, c.outcome) for c in decision.rules_checked] == [
        ("Oncology", "service line is Cardiology, not Oncology"),
        ("Spanish cardiology", "matched"),
    ]
    assert "Chosen: Ana Lopez. Passed over: Dan Lee (doesn't speak Spanish)." in (
        decision.explanation()
    )


def test_dry_run_assigns_nothing(setup):
    waiting_lead = LeadFactory()
    facts = LeadFacts(service_line_id=setup["cardiology"].pk, service_line_name="Cardiology",
                      lead_type="patient", channel="web_form", language="es")  # fmt: skip
    before = (Lead.objects.count(), Activity.objects.count())

    for _ in range(3):
        routing_dry_run(facts=facts)

    waiting_lead.refresh_from_db()
    assert (waiting_lead.owner, waiting_lead.team, waiting_lead.routed_at) == (None, None, None)
    assert (Lead.objects.count(), Activity.objects.count()) == before
    assert not TeamRoutingCursor.objects.exists()
    assert not RoutingWait.objects.exists()


def test_dry_run_page_shows_the_explanation_to_managers(client, manager, setup):
    client.force_login(manager)

    response = client.get(
        reverse("routing:dry_run"),
        {"service_line": setup["cardiology"].pk, "lead_type": "patient", "channel": "phone",
         "urgency": "urgent", "language": "es", "referral_source_kind": ""},
    )  # fmt: skip

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rule 2 “Spanish cardiology” matched." in content
    assert "Chosen: Ana Lopez." in content
    assert not Activity.objects.exists()


def test_dry_run_page_shows_field_errors(client, manager, setup):
    client.force_login(manager)

    response = client.get(reverse("routing:dry_run"), {"language": "Spanish!!", "lead_type": "x"})

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"service_line", "language", "lead_type"}
    assert response.context["decision"] is None


def test_dry_run_page_is_for_managers_only(client, coordinator, setup):
    client.force_login(coordinator)

    assert client.get(reverse("routing:dry_run")).status_code == 403
