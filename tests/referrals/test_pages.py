"""The directory's filters and the query budgets of the directory and profile pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.referrals.selectors import DirectoryFilters, referral_source_directory
from tests.factories import ReferralSourceFactory, ServiceLineFactory, UserFactory
from tests.referrals.factories import ReferralSourceHealthFactory, visit_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(make_referrals, liaison):
    cardiology = ServiceLineFactory(slug="cardiology", name="Cardiology")
    other_liaison = UserFactory(roles=["liaison"])
    sources = {
        "byrne": ReferralSourceFactory(
            name="Dr. Ada Byrne", territory="North Shore", owning_liaison=liaison
        ),
        "lakeside": ReferralSourceFactory(
            kind="practice", npi=None, name="Lakeside Family Medicine", territory="North Shore"
        ),
        "mercy": ReferralSourceFactory(
            kind="case_manager",
            npi=None,
            name="Mercy Case Management",
            organization_name="Mercy Hospital",
            territory="South Side",
            owning_liaison=other_liaison,
        ),
        "osei": ReferralSourceFactory(name="Dr. Ben Osei", territory="South Side"),
    }
    ReferralSourceHealthFactory(source=sources["byrne"], status="declining")
    ReferralSourceHealthFactory(
        source=sources["osei"], status="active", service_line_ids=[cardiology.pk]
    )
    make_referrals(sources["osei"], [timezone.now()], service_line=cardiology)
    make_referrals(sources["byrne"], [timezone.now()])
    return sources, cardiology, other_liaison


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["byrne", "osei", "lakeside", "mercy"]),
        ({"query": "lakeside"}, ["lakeside"]),
        ({"query": "mercy hosp"}, ["mercy"]),
        ({"kind": "case_manager"}, ["mercy"]),
        ({"territory": "South Side"}, ["osei", "mercy"]),
        ({"health_status": "declining"}, ["byrne"]),
        ({"health_status": "unclassified"}, ["lakeside", "mercy"]),
        ({"service_line": "cardiology"}, ["osei"]),
        ({"owning_liaison": "other"}, ["mercy"]),
        ({"kind": "employer"}, []),
    ],
)
def test_directory_filters(catalog, manager, filters, expected):
    sources, cardiology, other_liaison = catalog
    if "service_line" in filters:
        filters["service_line_id"] = cardiology.pk
        del filters["service_line"]
    if "owning_liaison" in filters:
        filters["owning_liaison_id"] = other_liaison.pk
        del filters["owning_liaison"]
    found = referral_source_directory(user=manager, filters=DirectoryFilters(**filters))
    names = {source.name for source in found}
    assert names == {sources[key].name for key in expected}


def test_directory_search_by_npi(catalog, manager):
    sources, _, _ = catalog
    found = referral_source_directory(
        user=manager, filters=DirectoryFilters(query=sources["osei"].npi)
    )
    assert list(found) == [sources["osei"]]


def test_directory_answers_htmx_with_the_results_only(client, catalog, manager):
    client.force_login(manager)
    response = client.get(reverse("referrals:directory"), {"q": "osei"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="directory-results">')
    assert "Dr. Ben Osei" in content and "<html" not in content


def _more_sources(count: int, liaison):
    for number in range(count):
        source = ReferralSourceFactory(territory="North Shore", owning_liaison=liaison)
        ReferralSourceHealthFactory(source=source, status="active")
        visit_to(source, visited_on=timezone.localdate() - dt.timedelta(days=number))


# session, user, groups, count, page of sources (owner, health, last visit), alerts badge
DIRECTORY_QUERIES = 7


def test_directory_query_count_does_not_grow_with_sources(
    client, catalog, manager, liaison, django_assert_num_queries
):
    client.force_login(manager)
    client.get(reverse("referrals:directory"))
    with django_assert_num_queries(DIRECTORY_QUERIES + 2):  # + territory and liaison choices
        client.get(reverse("referrals:directory"))
    _more_sources(15, liaison)
    with django_assert_num_queries(DIRECTORY_QUERIES + 2):
        client.get(reverse("referrals:directory"))


def _profile_history(make_referrals, source, liaison, size: int):
    now = timezone.now()
    make_referrals(
        source,
        [now - dt.timedelta(days=3 * n + 1) for n in range(size)],
        stage="completed",
        scheduled_at=lambda created: created,
        appointment_at=lambda created: created + dt.timedelta(days=2),
        converted_at=lambda created: created + dt.timedelta(days=2),
        closed_at=lambda created: created + dt.timedelta(days=2),
    )
    make_referrals(
        source,
        [now - dt.timedelta(days=5 * n + 2) for n in range(size)],
        stage="disqualified",
        lost_reason="out_of_network",
        closed_at=lambda created: created,
    )
    for n in range(size):
        visit_to(
            source,
            visited_on=timezone.localdate() - dt.timedelta(days=11 * n),
            liaison=liaison,
            gift_values=[Decimal("20.00")],
            follow_up="Call the office manager" if n % 2 else "",
        )


# session, user, groups, source (+ owner, practice, health), visits, their service
# lines, this source's gift share, open follow-ups, trend around visits, 12 months,
# service lines, median, leakage, closed loop, gifts, alerts badge,
# awaiting feedback, changes to visits
PROFILE_QUERIES = 18


@pytest.mark.parametrize("size", [2, 12])
def test_profile_query_count_does_not_grow_with_history(
    client, make_referrals, liaison, manager, django_assert_num_queries, size
):
    source = ReferralSourceFactory(territory="North Shore", owning_liaison=liaison)
    ReferralSourceHealthFactory(source=source, status="active")
    _profile_history(make_referrals, source, liaison, size)
    client.force_login(manager)
    client.get(reverse("referrals:profile", args=[source.pk]))
    with django_assert_num_queries(PROFILE_QUERIES):
        response = client.get(reverse("referrals:profile", args=[source.pk]))
    assert response.status_code == 200


def test_profile_page_shows_the_chart_with_a_table_and_the_gift_warning(
    client, make_referrals, manager, settings
):
    settings.REFERRALS_GIFT_ANNUAL_LIMIT = "100.00"
    source = ReferralSourceFactory(name="Dr. Chart")
    make_referrals(source, [timezone.now() - dt.timedelta(days=2)])
    visit_to(source, visited_on=timezone.localdate(), gift_values=[Decimal("85.00")])
    client.force_login(manager)

    content = client.get(reverse("referrals:profile", args=[source.pk])).content.decode()

    assert '<svg class="ref-chart"' in content and "<title>" in content
    assert "Table of referrals per month" in content
    assert "near the annual limit of $100.00" in content


def test_classify_button_queues_the_nightly_job(client, manager):
    import json

    import redis
    from django.conf import settings

    from tests.celery_processes import broker_purge

    broker_purge()
    client.force_login(manager)
    response = client.post(reverse("referrals:health_classify"), follow=True)

    assert "Health classification started" in response.content.decode()
    (raw,) = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    assert json.loads(raw)["headers"]["task"] == "apps.referrals.tasks.referrer_health_classify"
    broker_purge()
