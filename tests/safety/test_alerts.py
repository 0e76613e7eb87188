"""Who is alerted about a flagged lead, and when: at routing for a new lead, at once for
a lead already routed; the team lead on shift (else the managers) and the owner (else
the team)."""

import pytest

from apps.alerts.models import Alert
from apps.leads.models import Lead
from apps.safety.services import lead_safety_screen
from apps.sla.services import lead_sla_start
from tests.factories import TeamMembershipFactory, UserFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


def alerted(lead: Lead) -> list[str]:
    return sorted(
        Alert.objects.filter(lead=lead, level="red_flag").values_list(
            "recipient__username", flat=True
        )
    )


def test_an_unrouted_flagged_lead_is_alerted_when_routing_starts_its_clock(
    make_lead, team_lead, manager
):
    # Team lead and coordinator are on shift (the factory's default).
    lead = make_lead(urgency="routine", message="chest pain right now", team=None, owner=None)

    lead_safety_screen(lead=lead, inquiry=None, message=lead.message)
    assert alerted(lead) == []  # nobody to tell until routing gives it a team

    Lead.objects.filter(pk=lead.pk).update(team=lead_team(team_lead), owner=None)
    lead.refresh_from_db()
    lead_sla_start(lead=lead, started_at=T0)
    lead_sla_start(lead=lead, started_at=T0)  # routed again: no second alert

    assert alerted(lead) == ["coordinator", "teamlead"]


def lead_team(team_lead):
    return team_lead.teams_led.get()


def test_a_routed_lead_alerts_the_team_lead_on_shift_and_the_owner_at_once(
    make_lead, team_lead, owner
):
    lead = make_lead(message="my wife's face is drooping")

    lead_safety_screen(lead=lead, inquiry=None, message=lead.message)

    assert alerted(lead) == ["coordinator", "teamlead"]


def test_without_a_team_lead_on_shift_the_managers_are_alerted(make_lead, team_lead, manager):
    team_lead.is_on_shift = False
    team_lead.save(update_fields=["is_on_shift"])
    lead = make_lead(message="I took too many pills")

    lead_safety_screen(lead=lead, inquiry=None, message=lead.message)

    assert alerted(lead) == ["coordinator", "manager"]


def test_an_unclaimed_lead_alerts_every_member_of_its_team(make_lead, team, team_lead):
    TeamMembershipFactory(team=team, user=UserFactory(username="colleague"))
    lead = make_lead(owner=None, message="my husband threatened to kill me")

    lead_safety_screen(lead=lead, inquiry=None, message=lead.message)

    assert alerted(lead) == ["colleague", "coordinator", "teamlead"]


def test_a_flag_is_noted_on_the_timeline_with_the_words(make_lead):
    lead = make_lead(urgency="routine", message="Lips are turning BLUE")

    flag = lead_safety_screen(lead=lead, inquiry=None, message=lead.message)

    lead.refresh_from_db()
    assert lead.urgency == "urgent"
    note = lead.activities.get(details__safety="breathing")
    assert "“Lips are turning BLUE”" in note.body
    assert flag.matched_words == ["Lips are turning BLUE"]
