"""The beat sweep: leads created while the broker was down are routed by the next
sweep, and no lead is left without an owner or a team."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.leads.choices import ActivityKind
from apps.leads.models import Lead
from apps.routing.services import routing_sweep
from apps.routing.tasks import routing_sweep as routing_sweep_task
from tests.factories import LeadFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(staff, fallback_team):
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    staff(team)
    staff(team)
    return team


def test_the_sweep_routes_leads_created_while_the_broker_was_down(team):
    # Intake saved these but no routing task was ever published.
    now = timezone.now()
    missed = [LeadFactory(created_at=now - dt.timedelta(seconds=s)) for s in (5, 300, 3600)]

    result = routing_sweep(now=now)

    assert result["routed"] == 3
    for lead in missed:
        lead.refresh_from_db()
        assert lead.owner is not None and lead.team == team and lead.routed_at is not None
        entry = lead.activities.get(kind=ActivityKind.ASSIGNMENT)
        assert entry.details["trigger"] == "sweep"


def test_the_sweep_routes_a_lead_that_missed_its_publish_a_moment_ago(team):
    # The broker came back a second ago; this lead's publish failed just before.
    now = timezone.now()
    young = LeadFactory(created_at=now - dt.timedelta(seconds=1))

    assert routing_sweep(now=now)["routed"] == 1

    young.refresh_from_db()
    assert young.owner is not None and young.routed_at is not None


def test_the_sweep_task_routes_leads_and_reports_counts(team):
    LeadFactory(created_at=timezone.now() - dt.timedelta(minutes=5))

    assert routing_sweep_task() == {"routed": 1, "retried": 0, "owners_found": 0}


def test_after_the_sweep_no_old_lead_is_without_owner_or_team(team, staff, fallback_team):
    now = timezone.now()
    LeadFactory.create_batch(5, created_at=now - dt.timedelta(minutes=2))
    for member in team.members.all():
        member.is_on_shift = False
        member.save()

    routing_sweep(now=now)

    assert not Lead.objects.filter(team__isnull=True, owner__isnull=True).exists()


def test_the_sweep_starts_the_response_clock(team):
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(minutes=2))

    routing_sweep()

    lead.refresh_from_db()
    assert lead.sla_due_at is not None and lead.sla_due_at > lead.created_at


def test_the_sweep_keeps_an_owner_staff_gave_before_routing_ran(team, staff, fallback_team):
    mine = staff(fallback_team)
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(minutes=2), owner=mine)

    routing_sweep()

    lead.refresh_from_db()
    assert lead.owner == mine
    assert lead.routed_at is not None
    assert not lead.activities.filter(kind=ActivityKind.ASSIGNMENT).exists()


def test_a_lead_waiting_for_anyone_gets_an_owner_within_one_sweep_once_someone_has_room(
    staff, fallback_team
):
    team = TeamFactory(name="Spine intake", slug="spine-intake")
    RoutingRuleFactory(target_team=team)
    member = staff(team, max_open_leads=1)
    LeadFactory(owner=member, team=team)  # the only member is full
    staff(fallback_team, is_on_shift=False)
    waiting = LeadFactory()
    routing_sweep(now=waiting.created_at + dt.timedelta(minutes=2))
    waiting.refresh_from_db()
    assert waiting.owner is None and waiting.routing_wait is not None

    member.max_open_leads = 2
    member.save(update_fields=["max_open_leads"])
    result = routing_sweep()

    waiting.refresh_from_db()
    assert result["owners_found"] == 1
    assert (waiting.owner, waiting.team) == (member, team)
