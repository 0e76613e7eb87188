"""The dashboard pages: who may see them, filters in the query string, panels, CSV."""

import csv
import io

import pytest
from django.urls import reverse

from apps.dashboards.services import lead_facts_refresh
from apps.dashboards.views import PANELS
from tests.dashboards.conftest import at, make_lead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD = "start=2025-03-03&end=2025-03-16"


def panel_url(panel: str, query: str = PERIOD) -> str:
    return f"{reverse('dashboards:panel', args=[panel])}?{query}"


def export_url(panel: str, table: str, query: str = PERIOD) -> str:
    return f"{reverse('dashboards:export', args=[panel, table])}?{query}"


ALL_URLS = [
    reverse("dashboards:index"),
    panel_url("funnel"),
    export_url("funnel", "steps"),
    reverse("dashboards:leads") + "?" + PERIOD,
]


@pytest.mark.parametrize("url", ALL_URLS)
def test_signed_out_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["intake coordinator", "liaison"])
@pytest.mark.parametrize("url", ALL_URLS)
def test_staff_who_are_not_managers_are_refused(client, role, url):
    client.force_login(UserFactory(roles=[role]))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_dashboards(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(reverse("dashboards:index"))

    assert response.status_code == 200
    assert b"Dashboards" in response.content


def test_nav_links_the_dashboards_for_managers_only(client, manager):
    coordinator = UserFactory(roles=["intake coordinator"])
    dashboards = reverse("dashboards:index").encode()

    client.force_login(coordinator)
    assert dashboards not in client.get(reverse("alerts:list")).content
    client.force_login(manager)
    assert dashboards in client.get(reverse("alerts:list")).content


def test_every_tab_keeps_the_filters_of_the_query_string(month, manager_client):
    query = f"{PERIOD}&service_line=orthopedics&channel=web_form&referral_source={month.rs1.pk}"

    for url in (f"{reverse('dashboards:index')}?{query}", panel_url("trends", query)):
        body = manager_client.get(url).content.decode()
        for panel in PANELS:
            assert (
                f'href="/dashboards/{panel}/?start=2025-03-03&amp;end=2025-03-16&amp;'
                f"service_line=orthopedics&amp;channel=web_form&amp;referral_source={month.rs1.pk}"
                in body
            )
        assert 'href="/dashboards/?start=2025-03-03&amp;end=2025-03-16&amp;service_line=' in body


def test_the_tab_of_the_page_is_marked_current(month, manager_client):
    body = manager_client.get(panel_url("response")).content.decode()

    assert (
        f'href="/dashboards/response/?{PERIOD.replace("&", "&amp;")}" aria-current="page"' in body
    )
    assert body.count('aria-current="page"') == 2  # the tab and the main navigation


def test_filters_apply_to_the_tab_they_are_on(month, manager_client):
    body = manager_client.get(panel_url("channels")).content.decode()

    assert 'action="/dashboards/channels/"' in body


def test_page_shows_the_default_period_it_counts(month, manager_client):
    body = manager_client.get(reverse("dashboards:index")).content.decode()

    # The last 90 days up to today (Thu 20 March 2025 in New York).
    assert 'name="start" value="2024-12-21"' in body
    assert 'name="end" value="2025-03-20"' in body
    assert "/dashboards/funnel/?start=2024-12-21&amp;end=2025-03-20&amp;period=90" in body


def test_page_says_how_fresh_the_figures_are(month, manager_client):
    body = manager_client.get(reverse("dashboards:index")).content.decode()

    assert "Figures as of Mar 20, 2025" in body
    assert "refreshed every minute" in body


def test_page_before_the_first_refresh_says_figures_are_coming(manager_client):
    body = manager_client.get(reverse("dashboards:index")).content.decode()

    assert "have not been computed yet" in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2025-03-16&end=2025-03-03", "end", "on or after the start date"),
        ("start=2020-01-01&end=2025-03-03", "start", "at most 731 days"),
        ("start=yesterday", "start", "Enter a valid date"),
        ("service_line=no-such-line", "service_line", "Select a valid choice"),
        ("channel=fax", "channel", "Select a valid choice"),
    ],
)
def test_bad_filters_are_answered_with_the_field_in_error(manager_client, query, field, message):
    response = manager_client.get(f"{reverse('dashboards:index')}?{query}")

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert manager_client.get(panel_url("funnel", query)).status_code == 400


@pytest.mark.parametrize("panel", list(PANELS))
def test_each_panel_renders_as_a_fragment_and_as_a_page(month, manager_client, panel):
    fragment = manager_client.get(panel_url(panel), HTTP_HX_REQUEST="true")
    page = manager_client.get(panel_url(panel))

    assert fragment.status_code == page.status_code == 200
    assert b"<html" not in fragment.content
    assert b"<html" in page.content
    assert b'type="application/json"' in fragment.content  # the chart's data
    assert b"Export CSV" in fragment.content


def test_funnel_fragment_shows_the_figures_with_their_links(month, manager_client):
    body = manager_client.get(panel_url("funnel"), HTTP_HX_REQUEST="true").content.decode()

    assert ">44.4%</a>" in body  # lead to scheduled
    assert "reached=qualified" in body


@pytest.mark.parametrize("panel", list(PANELS))
def test_a_period_without_leads_says_so(month, manager_client, panel):
    response = manager_client.get(
        panel_url(panel, "start=2024-01-01&end=2024-01-31"), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert b"No leads match these filters in this period." in response.content


# The same for every panel: session, user, roles; then the panel's own queries.
PANEL_QUERIES = {
    "funnel": 3 + 2,
    "trends": 3 + 2,
    "response": 3 + 2,
    "channels": 3 + 2,
    "drop-off": 3 + 3,
    "referrals": 3 + 3,
}


@pytest.mark.parametrize("panel", list(PANELS))
def test_each_panel_page_runs_a_fixed_number_of_queries(
    month, manager_client, django_assert_num_queries, panel
):
    manager_client.get(panel_url(panel), HTTP_HX_REQUEST="true")

    with django_assert_num_queries(PANEL_QUERIES[panel]):
        manager_client.get(panel_url(panel), HTTP_HX_REQUEST="true")
    # A filter by service line costs the lookup of its slug, whatever the data.
    with django_assert_num_queries(PANEL_QUERIES[panel] + 1):
        manager_client.get(
            panel_url(panel, PERIOD + "&service_line=cardiology"), HTTP_HX_REQUEST="true"
        )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_funnel_by_service_line_exports_as_csv(month, manager_client):
    response = manager_client.get(export_url("funnel", "by-service-line"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "leadcrm-funnel-by-service-line-2025-03-03-2025-03-16.csv"
        in response["Content-Disposition"]
    )
    assert read_csv(response) == [
        [
            "Service line",
            "New",
            "Attempting contact",
            "Contacted",
            "Qualified",
            "Scheduled",
            "Completed",
            "Lead to scheduled",
            "Lead to completed",
        ],
        ["Orthopedics", "5", "4", "3", "3", "3", "1", "60.0", "20.0"],
        ["Cardiology", "4", "2", "2", "1", "1", "1", "25.0", "25.0"],
    ]


def test_response_by_team_exports_as_csv(month, manager_client):
    rows = read_csv(manager_client.get(export_url("response", "by-team")))

    assert rows[0] == [
        "Team",
        "Leads",
        "Answered",
        "Median (min)",
        "90th percentile (min)",
        "Within SLA",
        "Missed SLA",
        "Share within SLA",
    ]
    assert rows[1:] == [
        ["Cardio intake", "4", "2", "55.0", "83.0", "1", "2", "33.3"],
        ["Ortho intake", "4", "4", "20.0", "177.0", "3", "1", "75.0"],
        ["No team", "1", "0", "", "", "0", "0", ""],
    ]


def test_campaign_names_cannot_become_spreadsheet_formulas(month, manager_client):
    make_lead(
        created_at=at("03-05"),
        utm_campaign="=HYPERLINK(1)",
        service_line=month.ortho,
        channel="email",
        location=month.loc_a,
    )
    lead_facts_refresh()

    rows = read_csv(manager_client.get(export_url("channels", "by-campaign")))

    assert ["Email", "'=HYPERLINK(1)", "1", "0", "0.0", "0", "0.0"] in rows


def test_export_of_an_unknown_table_is_not_found(month, manager_client):
    assert manager_client.get(export_url("funnel", "nope")).status_code == 404
    assert manager_client.get(panel_url("nope")).status_code == 404
