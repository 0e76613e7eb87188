"""Who inside the team gets the lead: round robin, least open load, fixed owner,
capacity with urgent weighting, and members who are never picked."""

import collections

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.leads.choices import Urgency
from apps.leads.models import Lead
from apps.routing.choices import Strategy, WaitReason
from apps.routing.models import RoutingWait
from apps.routing.services import lead_route
from tests.factories import LeadFactory, ServiceLineFactory, TeamFactory, UserFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Orthopedics intake", slug="ortho-intake")


def route_new_lead(**fields) -> Lead:
    lead = LeadFactory(**fields)
    lead_route(lead_id=lead.pk)
    lead.refresh_from_db()
    return lead


def give_open_leads(user, count, *, urgency=Urgency.ROUTINE):
    LeadFactory.create_batch(count, owner=user, urgency=urgency, routed_at=timezone.now())


def test_round_robin_takes_members_in_turn(team, staff, fallback_team):
    members = [staff(team) for _ in range(3)]
    RoutingRuleFactory(target_team=team, strategy=Strategy.ROUND_ROBIN)

    owners = [route_new_lead().owner for _ in range(6)]

    assert owners == members + members


def test_round_robin_is_fair_when_a_member_is_away(team, staff, fallback_team):
    anna, ben, cara = (staff(team) for _ in range(3))
    RoutingRuleFactory(target_team=team, strategy=Strategy.ROUND_ROBIN)
    first = [route_new_lead().owner for _ in range(2)]  # anna, ben
    cara.is_on_shift = False
    cara.save()

    later = [route_new_lead().owner for _ in range(4)]

    assert first == [anna, ben]
    assert later == [anna, ben, anna, ben]


def test_round_robin_shares_leads_evenly(team, staff, fallback_team):
    members = [staff(team) for _ in range(4)]
    RoutingRuleFactory(target_team=team, strategy=Strategy.ROUND_ROBIN)

    counts = collections.Counter(route_new_lead().owner for _ in range(12))

    assert counts == {member: 3 for member in members}


def test_least_load_picks_the_member_with_fewest_open_uncontacted_leads(team, staff, fallback_team):
    busy, quiet, middle = staff(team), staff(team), staff(team)
    give_open_leads(busy, 5)
    give_open_leads(middle, 2)
    give_open_leads(quiet, 1)
    # Contacted and closed leads are not load.
    now = timezone.now()
    LeadFactory(owner=quiet, created_at=now, first_response_at=now)
    LeadFactory(owner=quiet, created_at=now, closed_at=now)
    RoutingRuleFactory(target_team=team, strategy=Strategy.LEAST_LOAD)

    lead = route_new_lead()

    assert lead.owner == quiet


def test_least_load_counts_urgent_leads_by_their_weight(team, staff, fallback_team):
    two_urgent, three_routine = staff(team), staff(team)
    give_open_leads(two_urgent, 2, urgency=Urgency.URGENT)  # weighs 2 x 2 = 4
    give_open_leads(three_routine, 3)
    RoutingRuleFactory(target_team=team, strategy=Strategy.LEAST_LOAD, urgent_weight=2)

    assert route_new_lead().owner == three_routine


def test_least_load_breaks_ties_in_turn(team, staff, fallback_team):
    first, second = staff(team), staff(team)
    RoutingRuleFactory(target_team=team, strategy=Strategy.LEAST_LOAD)

    owners = [route_new_lead().owner for _ in range(2)]

    assert owners == [first, second]


def test_fixed_owner_gets_every_lead_of_the_rule(team, staff, fallback_team):
    staff(team)
    named = staff(team)
    RoutingRuleFactory(target_team=team, strategy=Strategy.FIXED_OWNER, fixed_owner=named)

    assert {route_new_lead().owner for _ in range(3)} == {named}


def test_fixed_owner_off_shift_sends_the_lead_to_the_fallback_team(team, staff, fallback_team):
    named = staff(team, is_on_shift=False)
    covering = staff(fallback_team)
    RoutingRuleFactory(target_team=team, strategy=Strategy.FIXED_OWNER, fixed_owner=named)

    lead = route_new_lead()

    assert (lead.team, lead.owner) == (fallback_team, covering)


@pytest.mark.parametrize(
    "away",
    [{"is_active": False}, {"on_leave": True}, {"is_on_shift": False}],
    ids=["inactive", "on leave", "off shift"],
)
@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.LEAST_LOAD])
def test_members_away_are_never_picked(team, staff, fallback_team, away, strategy):
    away_member = staff(team, **away)
    present = staff(team)
    give_open_leads(present, 10)  # least load would pick the away member if it could
    RoutingRuleFactory(target_team=team, strategy=strategy)

    owners = {route_new_lead().owner for _ in range(3)}

    assert owners == {present}
    assert away_member not in owners


@pytest.mark.parametrize(
    ("open_routine", "open_urgent", "new_urgency", "capacity", "weight", "takes_it"),
    [
        (11, 0, Urgency.ROUTINE, 12, 2, True),
        (12, 0, Urgency.ROUTINE, 12, 2, False),
        (11, 0, Urgency.URGENT, 12, 2, False),  # an urgent lead needs two free slots
        (10, 0, Urgency.URGENT, 12, 2, True),
        (11, 0, Urgency.URGENT, 12, 1, True),  # weight 1: urgent counts like routine
        (6, 3, Urgency.ROUTINE, 12, 2, False),  # 6 + 3 x 2 = 12: full
        (6, 3, Urgency.ROUTINE, 12, 1, True),  # 6 + 3 = 9
        (0, 4, Urgency.URGENT, 10, 3, False),  # 12 + 3 > 10
    ],
)
def test_capacity_counts_open_uncontacted_leads_with_urgent_weight(
    team, staff, fallback_team, open_routine, open_urgent, new_urgency, capacity, weight, takes_it
):
    member = staff(team, max_open_leads=capacity)
    give_open_leads(member, open_routine)
    give_open_leads(member, open_urgent, urgency=Urgency.URGENT)
    covering = staff(fallback_team)
    RoutingRuleFactory(target_team=team, urgent_weight=weight)

    lead = route_new_lead(urgency=new_urgency)

    assert lead.owner == (member if takes_it else covering)


def test_members_at_capacity_are_skipped_in_turn(team, staff, fallback_team):
    full = staff(team, max_open_leads=2)
    give_open_leads(full, 2)
    free = staff(team)
    RoutingRuleFactory(target_team=team)

    assert [route_new_lead().owner for _ in range(2)] == [free, free]


def test_nobody_available_in_the_team_sends_the_lead_to_the_fallback_team(
    team, staff, fallback_team
):
    staff(team, is_on_shift=False)
    covering = staff(fallback_team)
    RoutingRuleFactory(target_team=team)

    lead = route_new_lead()

    assert (lead.team, lead.owner) == (fallback_team, covering)
    assert not RoutingWait.objects.filter(lead=lead).exists()


def test_nobody_available_anywhere_leaves_the_lead_in_the_fallback_queue(
    team, staff, fallback_team
):
    staff(team, on_leave=True)
    staff(fallback_team, is_on_shift=False)
    RoutingRuleFactory(target_team=team)

    lead = route_new_lead()

    assert (lead.team, lead.owner) == (fallback_team, None)
    assert lead.routed_at is not None
    assert RoutingWait.objects.get(lead=lead).reason == WaitReason.NOBODY_AVAILABLE


def test_without_a_fallback_team_the_lead_waits_in_its_rule_team(team, staff):
    staff(team, is_on_shift=False)
    RoutingRuleFactory(target_team=team)

    lead = route_new_lead()

    assert (lead.team, lead.owner) == (team, None)
    assert RoutingWait.objects.filter(lead=lead).exists()


def test_without_any_rule_or_fallback_team_the_lead_stays_unrouted_for_the_sweep(db):
    lead = route_new_lead()

    assert (lead.team, lead.owner, lead.routed_at) == (None, None, None)


def test_a_member_of_two_teams_carries_one_load(team, staff, fallback_team):
    other = TeamFactory(name="Spine intake", slug="spine-intake")
    shared = UserFactory(max_open_leads=1)
    for each in (team, other):
        staff(each)  # someone else in each team
        each.memberships.create(user=shared)
    give_open_leads(shared, 1)
    RoutingRuleFactory(target_team=team, strategy=Strategy.FIXED_OWNER, fixed_owner=shared,
                       service_lines=[ServiceLineFactory(slug="spine")])  # fmt: skip
    RoutingRuleFactory(target_team=other, strategy=Strategy.LEAST_LOAD)

    lead = route_new_lead()

    assert lead.team == other
    assert lead.owner != shared


def _queries_to_route_in_a_team_of(size: int, strategy: str) -> int:
    team = TeamFactory()
    for _ in range(size):
        UserFactory().team_memberships.create(team=team)
    RoutingRuleFactory(target_team=team, strategy=strategy, match_language=True, position=0)
    # The team's first lead also creates its cursor.
    first = LeadFactory()
    lead = LeadFactory(service_line=first.service_line, location=first.location)
    lead_route(lead_id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        lead_route(lead_id=lead.pk)
    return len(queries)


@pytest.mark.parametrize("strategy", [Strategy.ROUND_ROBIN, Strategy.LEAST_LOAD])
def test_routing_takes_a_fixed_number_of_queries_whatever_the_team_size(fallback_team, strategy):
    small = _queries_to_route_in_a_team_of(2, strategy)
    large = _queries_to_route_in_a_team_of(15, strategy)

    assert small == large
    # Claim the lead, the rules, lock the team's cursor, read members with their loads,
    # the service line and its policies, the location with its hours and holidays, one
    # UPDATE of the lead (owner, team, due time), the cursor, the timeline entry, the
    # escalation steps, and the savepoint around it all (a commit outside tests). Which
    # webhook endpoints want lead.assigned comes from the reference cache.
    assert large == 15
