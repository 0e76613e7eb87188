"""Global search: leads in any stage, people and referral sources, by what staff type,
scoped to what the user may see, in a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.pipeline.selectors import stage_get_by_slug
from apps.referrals.services import liaison_territories_set
from apps.search.selectors import global_search
from tests.browser import log_in
from tests.factories import (
    LeadFactory,
    PersonFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

SEARCH = reverse("search:index")


@pytest.fixture
def team(db):
    return TeamFactory(name="Ortho intake", slug="ortho-intake")


@pytest.fixture
def coordinator(team):
    user = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def closed_lead(team):
    person = PersonFactory(
        first_name="Rosa", last_name="Delgado", phone="+13125550142", email="rosa@example.org"
    )
    return LeadFactory(
        person=person,
        team=team,
        stage=stage_get_by_slug("disqualified"),
        created_at=timezone.now() - dt.timedelta(days=3),
        closed_at=timezone.now(),
        lost_reason="not_a_candidate",
    )


def lead_ids(results) -> list[int]:
    return [row["pk"] for row in results.leads]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["(312) 555-0142", "312.555.0142", "+1 312 555 0142", "3125550142", "Delgado", "delg",
     "rosa delgado", "Delgado, Rosa", "ROSA@example.org", "rosa@", "Rosa \u2013 Delgado",
     "Delgado (Rosa)"],
)  # fmt: skip
def test_a_closed_lead_is_found_by_phone_in_any_format_name_or_email(
    coordinator, closed_lead, typed
):
    assert lead_ids(global_search(user=coordinator, query=typed)) == [closed_lead.pk]


@pytest.mark.django_db
def test_a_whole_email_address_finds_that_address_only(coordinator, closed_lead, team):
    LeadFactory(person=PersonFactory(email="larosa@example.org.uk"), team=team)
    assert lead_ids(global_search(user=coordinator, query="Rosa@Example.org")) == [closed_lead.pk]
    assert len(lead_ids(global_search(user=coordinator, query="rosa@example"))) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["() -", "\u2013", "(", ", ,"])
def test_punctuation_alone_finds_nothing(coordinator, closed_lead, typed):
    assert global_search(user=coordinator, query=typed).empty


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["#{}", "{}"])
def test_a_lead_is_found_by_its_number(coordinator, closed_lead, typed):
    assert lead_ids(global_search(user=coordinator, query=typed.format(closed_lead.pk))) == [
        closed_lead.pk
    ]


@pytest.mark.django_db
def test_a_lead_outside_my_teams_is_not_found(coordinator, closed_lead):
    other = LeadFactory(
        person=PersonFactory(last_name="Delgado", phone="+13125550199"),
        team=TeamFactory(name="Cardio", slug="cardio"),
    )
    assert lead_ids(global_search(user=coordinator, query="Delgado")) == [closed_lead.pk]
    assert lead_ids(global_search(user=coordinator, query=f"#{other.pk}")) == []


@pytest.mark.django_db
def test_a_referral_source_is_found_by_name_npi_or_phone_within_the_liaisons_territory():
    liaison = UserFactory(roles=[Role.LIAISON])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    mine = ReferralSourceFactory(
        name="Lakeview Orthopedics", territory="North Shore", phone="(312) 555-0177"
    )
    ReferralSourceFactory(name="Lakeview Cardiology", territory="South Side")

    for typed in ("lakeview", "Orthoped", mine.npi, "312-555-0177"):
        found = global_search(user=liaison, query=typed)
        assert [row["pk"] for row in found.sources] == [mine.pk], typed


@pytest.mark.django_db
def test_a_coordinator_finds_no_referral_sources(coordinator):
    ReferralSourceFactory(name="Lakeview Orthopedics")
    assert global_search(user=coordinator, query="lakeview").sources == []


@pytest.mark.django_db
def test_the_search_is_posted_and_a_query_in_the_url_is_ignored(client, coordinator, closed_lead):
    client.force_login(coordinator)
    assert "Rosa" not in client.get(SEARCH, {"q": "Delgado"}).content.decode()
    response = client.post(SEARCH, {"q": "(312) 555-0142"})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("queue:lead", args=[closed_lead.pk]) in html
    assert "closed" in html


# Session, user, role groups (twice: leads and sources scope), team ids, the leads,
# the access log entry, the sources and the top bar's alert badge: the same for one
# result or twenty-five.
SEARCH_QUERIES = 9


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 30])
def test_search_runs_a_fixed_number_of_queries(
    client, coordinator, team, people, django_assert_max_num_queries
):
    for number in range(people):
        LeadFactory(team=team, person=PersonFactory(last_name=f"Okafor{number}"))
    client.force_login(coordinator)
    client.get(reverse("alerts:list"))  # warm the session and per-process caches

    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = client.post(SEARCH, {"q": "okafor"})
    assert response.content.decode().count('href="/leads/') == min(people, 25)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_slash_then_a_phone_in_another_format_finds_the_closed_lead(page):
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    person = PersonFactory(first_name="Rosa", last_name="Delgado", phone="+13125550142")
    lead = LeadFactory(
        person=person,
        team=team,
        stage=stage_get_by_slug("disqualified"),
        created_at=timezone.now() - dt.timedelta(days=3),
        closed_at=timezone.now(),
        lost_reason="not_a_candidate",
    )
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto("/alerts/")

    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("312.555.0142")
    page.keyboard.press("Enter")

    result = page.get_by_role("link", name=f"Rosa Delgado · Lead #{lead.pk}")
    expect(result).to_be_visible()
    assert "312" not in page.url  # the search is never in the URL
    result.click()
    expect(page.get_by_role("heading", name="Rosa Delgado")).to_be_visible()
