"""The liaison's visit plan: declining high-volume sources first, then inactive ones,
then the longest unvisited, each with its reason."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.referrals.selectors import visit_plan
from apps.referrals.services import liaison_territories_set
from tests.factories import ReferralSourceFactory
from tests.referrals.factories import ReferralSourceHealthFactory, visit_to

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def source_with_health(name, status="active", baseline=0, reason="", territory="North Shore"):
    source = ReferralSourceFactory(name=name, territory=territory)
    ReferralSourceHealthFactory(
        source=source, status=status, baseline_referrals=baseline, reason=reason
    )
    return source


@pytest.fixture
def territory(liaison):
    liaison_territories_set(liaison=liaison, territories=["North Shore"])


@pytest.fixture
def sources(territory, liaison):
    made = {
        "small declining": source_with_health(
            "Small declining",
            "declining",
            12,
            "2 referrals in the last 90 days against 3 expected.",
        ),
        "big declining": source_with_health(
            "Big declining", "declining", 80, "9 referrals in the last 90 days against 20 expected."
        ),
        "small inactive": source_with_health(
            "Small inactive", "inactive", 2, "No referral in 130 days."
        ),
        "big inactive": source_with_health(
            "Big inactive", "inactive", 30, "No referral in 200 days."
        ),
        "visited recently": source_with_health("Visited recently"),
        "never visited": source_with_health("Never visited", "new"),
        "visited long ago": source_with_health("Visited long ago"),
        "not classified": ReferralSourceFactory(name="Not classified", territory="North Shore"),
    }
    visit_to(made["visited recently"], visited_on=TODAY - dt.timedelta(days=10), liaison=liaison)
    visit_to(made["visited long ago"], visited_on=TODAY - dt.timedelta(days=200), liaison=liaison)
    visit_to(made["not classified"], visited_on=TODAY - dt.timedelta(days=100), liaison=liaison)
    visit_to(made["big declining"], visited_on=TODAY - dt.timedelta(days=45), liaison=liaison)
    # Out of the plan: another territory, and a source no longer active.
    source_with_health("Elsewhere declining", "declining", 500, territory="South Side")
    retired = source_with_health("Retired", "inactive", 90)
    retired.is_active = False
    retired.save()
    return made


def test_plan_ranks_declining_high_volume_then_inactive_then_longest_unvisited(liaison, sources):
    plan = visit_plan(user=liaison, today=TODAY)
    assert [entry.source.name for entry in plan] == [
        "Big declining",
        "Small declining",
        "Big inactive",
        "Small inactive",
        "Never visited",
        "Visited long ago",
        "Not classified",
        "Visited recently",
    ]


def test_plan_gives_each_source_its_reason(liaison, sources):
    reasons = {entry.source.name: entry.reason for entry in visit_plan(user=liaison, today=TODAY)}
    assert reasons["Big declining"] == (
        "Declining: 9 referrals in the last 90 days against 20 expected. Last visit 45 days ago."
    )
    assert reasons["Big inactive"] == "Inactive: No referral in 200 days. Never visited."
    assert reasons["Never visited"] == "Never visited."
    assert reasons["Visited long ago"] == "Not visited in 200 days."


def test_manager_sees_a_liaisons_plan(manager, liaison, sources):
    plan = visit_plan(user=manager, liaison=liaison, today=TODAY)
    assert plan[0].source.name == "Big declining"
    assert "Elsewhere declining" not in {entry.source.name for entry in plan}


def test_plan_page_lists_the_plan_and_open_follow_ups(client, liaison, sources):
    visit_to(
        sources["never visited"],
        visited_on=timezone.localdate(),
        liaison=liaison,
        follow_up="Send the new MRI hours",
    )
    client.force_login(liaison)
    response = client.get(reverse("referrals:plan"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Big declining") < content.index("Small inactive")
    assert "Send the new MRI hours" in content


def test_plan_page_query_count_does_not_grow_with_sources(
    client, liaison, sources, django_assert_num_queries
):
    visit_to(sources["never visited"], visited_on=TODAY, liaison=liaison, follow_up="Call")
    client.force_login(liaison)
    client.get(reverse("referrals:plan"))  # warm the stage and session caches
    with django_assert_num_queries(PLAN_QUERIES):
        client.get(reverse("referrals:plan"))
    for number in range(10):
        source = source_with_health(f"More {number}", "declining", number)
        visit_to(source, visited_on=TODAY, liaison=liaison, follow_up="Call back")
    with django_assert_num_queries(PLAN_QUERIES):
        client.get(reverse("referrals:plan"))


# session, user, groups, territories, plan, follow-ups (+ their sources), alerts badge
PLAN_QUERIES = 8
