"""Routing assigns once: a task delivered twice, the sweep and the task at once, or
many leads routed into one team at the same moment."""

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.routing.models import TeamRoutingCursor
from apps.routing.services import lead_route, routing_sweep
from apps.routing.tasks import route_lead
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.routing.factories import RoutingRuleFactory


def _in_thread(function):
    """Run in a worker thread with its own database connection, closed afterwards."""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return run


@pytest.fixture
def team(db):
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    return team


@pytest.mark.django_db
def test_a_task_delivered_twice_assigns_once(team, staff):
    first, second = staff(team), staff(team)
    lead = LeadFactory()

    route_lead(lead.pk)
    route_lead(lead.pk)

    lead.refresh_from_db()
    assert lead.owner == first
    assert lead.activities.filter(kind=ActivityKind.ASSIGNMENT).count() == 1
    assert TeamRoutingCursor.objects.get(team=team).last_assigned == first
    assert second.owned_leads.count() == 0


@pytest.mark.django_db
def test_the_sweep_does_not_route_a_lead_again(team, staff):
    staff(team)
    lead = LeadFactory()
    route_lead(lead.pk)

    result = routing_sweep()

    assert result["routed"] == 0
    assert lead.activities.filter(kind=ActivityKind.ASSIGNMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lead_held_by_another_run_is_skipped_not_waited_for():
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    TeamMembershipFactory(team=team, user=UserFactory())
    lead = LeadFactory()

    with transaction.atomic():
        Lead.objects.select_for_update().get(pk=lead.pk)  # another run holds the lead
        with ThreadPoolExecutor(1) as pool:
            skipped = pool.submit(_in_thread(lead_route), lead_id=lead.pk).result(timeout=10)
    routed = lead_route(lead_id=lead.pk)

    assert skipped is None
    assert routed is not None and routed.owner is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_routing_of_one_lead_assigns_once():
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    for _ in range(3):
        TeamMembershipFactory(team=team, user=UserFactory())
    lead = LeadFactory()
    start = threading.Barrier(6)

    @_in_thread
    def route(via_sweep: bool):
        start.wait(timeout=10)
        if via_sweep:
            return routing_sweep(now=lead.created_at.replace(year=lead.created_at.year + 1))
        return lead_route(lead_id=lead.pk)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(route, [False, True, False, True, False, True]))

    assigned = Activity.objects.filter(lead=lead, kind=ActivityKind.ASSIGNMENT)
    assert assigned.count() == 1
    decisions = [r for r in results if r is not None and not isinstance(r, dict)]
    sweeps_routed = sum(r["routed"] for r in results if isinstance(r, dict))
    assert len(decisions) + sweeps_routed == 1


@pytest.mark.django_db(transaction=True)
def test_round_robin_stays_fair_when_leads_are_routed_at_once():
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    members = [UserFactory() for _ in range(3)]
    for member in members:
        TeamMembershipFactory(team=team, user=member)
    leads = LeadFactory.create_batch(9)
    start = threading.Barrier(9)

    @_in_thread
    def route(lead_id):
        start.wait(timeout=10)
        return lead_route(lead_id=lead_id)

    with ThreadPoolExecutor(9) as pool:
        list(pool.map(route, [lead.pk for lead in leads]))

    counts = collections.Counter(Lead.objects.values_list("owner_id", flat=True))
    assert counts == {member.pk: 3 for member in members}


@pytest.mark.django_db(transaction=True)
def test_capacity_holds_when_leads_are_routed_at_once():
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    fallback = TeamFactory(name="Central intake", slug="central", is_fallback=True)
    RoutingRuleFactory(target_team=team)
    member = UserFactory(max_open_leads=2)
    TeamMembershipFactory(team=team, user=member)
    TeamMembershipFactory(team=fallback, user=UserFactory())
    leads = LeadFactory.create_batch(6)
    start = threading.Barrier(6)

    @_in_thread
    def route(lead_id):
        start.wait(timeout=10)
        return lead_route(lead_id=lead_id)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(route, [lead.pk for lead in leads]))

    assert Lead.objects.filter(owner=member).count() == 2
    assert Lead.objects.filter(team=fallback).count() == 4
