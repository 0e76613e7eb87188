"""Skills narrow the choice, the lead waits in the team's queue, and the skills relax
after the rule's wait so that nobody waits for ever."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.routing.choices import Strategy, WaitReason
from apps.routing.models import RoutingWait
from apps.routing.services import lead_route, routing_sweep, user_shift_set
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
)
from tests.routing.factories import MemberSkillsFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


@pytest.fixture
def spanish_rule(team):
    return RoutingRuleFactory(
        name="Spanish speakers", target_team=team, match_language=True, relax_after_minutes=10
    )


def spanish_lead(**fields):
    return LeadFactory(person=PersonFactory(preferred_language="es"), **fields)


def test_language_skill_narrows_the_choice_to_speakers(team, staff, spanish_rule, fallback_team):
    staff(team, languages=["en"])
    speaker = staff(team, languages=["en", "es"])
    staff(team, languages=["en", "vi"])

    owners = set()
    for _ in range(3):
        lead = spanish_lead()
        lead_route(lead_id=lead.pk)
        lead.refresh_from_db()
        owners.add(lead.owner)

    assert owners == {speaker}


def test_without_a_free_speaker_the_lead_waits_in_the_team_queue(
    team, staff, spanish_rule, fallback_team
):
    staff(team, languages=["en"])
    staff(team, languages=["es"], is_on_shift=False)
    lead = spanish_lead()
    now = timezone.now()

    lead_route(lead_id=lead.pk, now=now)

    lead.refresh_from_db()
    assert (lead.team, lead.owner) == (team, None)
    wait = RoutingWait.objects.get(lead=lead)
    assert wait.reason == WaitReason.SKILL
    assert wait.relax_at == now + dt.timedelta(minutes=10)


def test_a_speaker_who_comes_on_shift_within_the_wait_gets_the_lead(
    team, staff, spanish_rule, fallback_team
):
    staff(team, languages=["en"])
    speaker = staff(team, languages=["es"], is_on_shift=False)
    lead = spanish_lead()
    start = timezone.now()
    lead_route(lead_id=lead.pk, now=start)

    user_shift_set(user=speaker, on_shift=True)
    routing_sweep(now=start + dt.timedelta(minutes=4))

    lead.refresh_from_db()
    assert lead.owner == speaker
    assert not RoutingWait.objects.filter(lead=lead).exists()


def test_after_the_wait_anyone_available_gets_the_lead(team, staff, spanish_rule, fallback_team):
    english = staff(team, languages=["en"])
    staff(team, languages=["es"], is_on_shift=False)
    lead = spanish_lead()
    start = timezone.now()
    lead_route(lead_id=lead.pk, now=start)

    routing_sweep(now=start + dt.timedelta(minutes=9))
    lead.refresh_from_db()
    still_waiting = lead.owner

    routing_sweep(now=start + dt.timedelta(minutes=10, seconds=1))
    lead.refresh_from_db()

    assert still_waiting is None
    assert lead.owner == english
    assert "No Spanish speaker came free within 10 minutes" in (
        lead.activities.filter(kind="assignment").order_by("-id").first().body
    )


def test_retries_while_waiting_write_nothing_new_on_the_timeline(
    team, staff, spanish_rule, fallback_team
):
    staff(team, languages=["en"])
    lead = spanish_lead()
    start = timezone.now()
    lead_route(lead_id=lead.pk, now=start)

    for minute in (1, 2, 3):
        routing_sweep(now=start + dt.timedelta(minutes=minute))

    assert lead.activities.filter(kind="assignment").count() == 1
    assert RoutingWait.objects.get(lead=lead).attempts == 4


def test_a_rule_that_never_relaxes_keeps_the_lead_waiting(team, staff, fallback_team):
    RoutingRuleFactory(target_team=team, match_language=True, relax_after_minutes=None)
    staff(team, languages=["en"])
    lead = spanish_lead()
    start = timezone.now()
    lead_route(lead_id=lead.pk, now=start)

    routing_sweep(now=start + dt.timedelta(hours=3))

    lead.refresh_from_db()
    assert (lead.team, lead.owner) == (team, None)


def test_a_lead_claimed_by_hand_while_waiting_is_left_alone(
    team, staff, spanish_rule, fallback_team
):
    colleague = staff(team, languages=["en"])
    lead = spanish_lead()
    lead_route(lead_id=lead.pk)
    lead.owner = colleague
    lead.save(update_fields=["owner"])

    routing_sweep(now=timezone.now() + dt.timedelta(minutes=30))

    lead.refresh_from_db()
    assert lead.owner == colleague
    assert not RoutingWait.objects.filter(lead=lead).exists()


def test_waiting_without_anyone_available_goes_to_the_fallback_at_once(
    team, staff, spanish_rule, fallback_team
):
    staff(team, languages=["es"], on_leave=True)
    covering = staff(fallback_team)
    lead = spanish_lead()

    lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert (lead.team, lead.owner) == (fallback_team, covering)


@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.LEAST_LOAD])
def test_service_line_skill_narrows_the_choice(team, staff, fallback_team, strategy):
    cardiology = ServiceLineFactory(slug="cardiology", name="Cardiology")
    oncology = ServiceLineFactory(slug="oncology", name="Oncology")
    RoutingRuleFactory(target_team=team, match_service_line=True, strategy=strategy)
    oncology_only = staff(team)
    MemberSkillsFactory(user=oncology_only, service_lines=[oncology])
    cardiology_nurse = staff(team)
    MemberSkillsFactory(user=cardiology_nurse, service_lines=[cardiology, oncology])

    owners = set()
    for _ in range(2):
        lead = LeadFactory(service_line=cardiology)
        lead_route(lead_id=lead.pk)
        lead.refresh_from_db()
        owners.add(lead.owner)

    assert owners == {cardiology_nurse}


def test_location_skill_narrows_the_choice_and_generalists_cover_everything(
    team, staff, fallback_team
):
    north = LocationFactory(slug="north", name="North Campus")
    south = LocationFactory(slug="south", name="South Campus")
    RoutingRuleFactory(target_team=team, match_location=True)
    south_only = staff(team)
    MemberSkillsFactory(user=south_only, locations=[south])
    generalist = staff(team)  # no skills on file: covers every location

    lead = LeadFactory(location=north)
    decision = lead_route(lead_id=lead.pk)

    lead.refresh_from_db()
    assert lead.owner == generalist
    assert [(v.user, v.passed_over_because) for v in decision.primary.passed_over] == [
        (south_only, "doesn't cover North Campus")
    ]
