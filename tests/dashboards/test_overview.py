"""The dashboards' overview: this period's few numbers against the period before, each
linking to its panel; date presets and the period compared with."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from apps.dashboards import selectors
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.forms import DashboardFilterForm
from tests.dashboards.conftest import PERIOD

pytestmark = pytest.mark.django_db

QUERY = "start=2025-03-03&end=2025-03-16"
D = dt.date


def overview_url(query: str = QUERY) -> str:
    return f"{reverse('dashboards:index')}?{query}"


def test_overview_figures_are_the_panels_figures(month):
    filters = month.filters()

    overview = selectors.dashboard_overview(filters=filters)

    funnel = selectors.dashboard_funnel(filters=filters).total
    response = selectors.dashboard_response_times(filters=filters).total
    referrals = selectors.dashboard_referral_sources(filters=filters).total
    now = overview.current
    assert (now.leads, now.lead_to_scheduled) == (funnel.leads, funnel.lead_to_scheduled)
    assert now.median_response_minutes == response.median_minutes
    assert now.within_target_rate == response.within_sla_rate
    assert (now.referrals, now.leakage_rate) == (referrals.referrals, referrals.leakage_rate)


def test_overview_figures_by_hand(month):
    now = selectors.dashboard_overview(filters=month.filters()).current

    # L1-L9; scheduled L1, L2, L5, L7; responses 5, 10, 20, 30, 90, 240 min; within
    # target L1, L2, L5, L7, missed L3, L6 and L4 (unanswered, past due), L9 pending;
    # referred L5, L6, L7, of which L6 lost (referred elsewhere).
    assert (now.leads, now.scheduled) == (9, 4)
    assert now.lead_to_scheduled == Decimal("44.4")
    assert now.median_response_minutes == Decimal("25.0")
    assert (now.within_target, now.missed_target) == (4, 3)
    assert now.within_target_rate == Decimal("57.1")
    assert (now.referrals, now.referrals_lost) == (3, 1)
    assert now.leakage_rate == Decimal("33.3")


def test_previous_period_counts_the_days_just_before(month):
    previous = selectors.dashboard_overview(filters=month.filters()).previous

    # Feb 17 - Mar 2: only L10 (Sunday 2 March in New York).
    assert (previous.start, previous.end) == (D(2025, 2, 17), D(2025, 3, 2))
    assert (previous.leads, previous.referrals) == (1, 0)
    assert previous.leakage_rate is None


def test_overview_page_shows_each_figure_against_the_period_before(month, manager_client):
    body = manager_client.get(overview_url()).content.decode()

    assert "Mar 3 \N{EN DASH} Mar 16, 2025" in body
    assert "against Feb 17 \N{EN DASH} Mar 2, 2025" in body
    for text in (
        "New leads",
        ">9<",
        "Up 800% from 1",
        "Conversion to scheduled",
        ">44.4%<",
        "Up 44.4 points from 0.0%",
        "Median first response",
        ">25 min<",
        "Answered within target",
        ">57.1%<",
        "Referral leakage",
        ">33.3%<",
        "Referred leads",
        "None in the period before",
    ):
        assert text in body, text


def test_each_headline_links_to_its_panel_with_the_filters(month, manager_client):
    body = manager_client.get(overview_url(QUERY + "&channel=referral")).content.decode()

    for panel in ("funnel", "response", "referrals"):
        link = f"/dashboards/{panel}/?{QUERY}&channel=referral".replace("&", "&amp;")
        assert f'class="dash-headline-link" href="{link}"' in body


def test_a_rise_in_response_time_reads_as_worse(month, manager_client):
    # Mar 10-16 (median of L5, L6, L7: 20 min) against Mar 3-9 (L1, L2, L3: 30 min).
    body = manager_client.get(overview_url("start=2025-03-10&end=2025-03-16")).content.decode()

    assert "Down 10 min from 30 min" in body
    assert '<li class="card dash-headline better">' in body


# The same for any period: session, user, roles, the freshness row and the filter form's
# three lists; the stages of the funnel; per period the sums and the median's values.
OVERVIEW_QUERIES = 3 + 1 + 3 + 1 + 2 * 2


def test_overview_runs_a_fixed_number_of_queries(month, manager_client, django_assert_num_queries):
    manager_client.get(overview_url())

    with django_assert_num_queries(OVERVIEW_QUERIES):
        manager_client.get(overview_url())
    with django_assert_num_queries(OVERVIEW_QUERIES):
        manager_client.get(overview_url("period=year"))


# --- Periods ------------------------------------------------------------------------------

TODAY = D(2025, 5, 20)  # a Tuesday in the second quarter


@pytest.mark.parametrize(
    ("period", "start", "end", "before_start", "before_end"),
    [
        ("7", D(2025, 5, 14), TODAY, D(2025, 5, 7), D(2025, 5, 13)),
        ("30", D(2025, 4, 21), TODAY, D(2025, 3, 22), D(2025, 4, 20)),
        ("90", D(2025, 2, 20), TODAY, D(2024, 11, 22), D(2025, 2, 19)),
        # The same days of the quarter and year before.
        ("quarter", D(2025, 4, 1), TODAY, D(2025, 1, 1), D(2025, 2, 19)),
        ("year", D(2025, 1, 1), TODAY, D(2024, 1, 1), D(2024, 5, 19)),  # 2024 had Feb 29
    ],
)
def test_date_presets_and_the_period_before(period, start, end, before_start, before_end):
    form = DashboardFilterForm(QueryDict(f"period={period}"), today=TODAY)

    assert form.is_valid(), form.errors
    filters = form.filters()
    assert (filters.start, filters.end, filters.period) == (start, end, period)
    previous = filters.previous()
    assert (previous.start, previous.end) == (before_start, before_end)
    assert previous.days == filters.days


def test_a_preset_wins_over_the_dates_beside_it():
    form = DashboardFilterForm(QueryDict("period=7&start=2020-01-01&end=2020-02-01"), today=TODAY)

    assert form.is_valid()
    assert (form.filters().start, form.filters().end) == (D(2025, 5, 14), TODAY)


def test_dates_without_a_preset_are_a_custom_range_with_the_days_before():
    form = DashboardFilterForm(QueryDict("start=2025-03-03&end=2025-03-16"), today=TODAY)

    assert form.is_valid()
    filters = form.filters()
    assert filters.period == ""
    assert "period" not in filters.query_params()
    assert (filters.previous().start, filters.previous().end) == (D(2025, 2, 17), D(2025, 3, 2))


def test_no_filters_at_all_is_the_last_90_days():
    form = DashboardFilterForm(QueryDict(""), today=TODAY)

    assert form.is_valid()
    assert form.filters().period == "90"
    assert form.filters().query_params()["period"] == "90"


def test_an_unknown_preset_is_a_field_error(manager_client):
    response = manager_client.get(overview_url("period=fortnight"))

    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["period"][0]


def test_previous_of_a_one_day_period_is_the_day_before():
    filters = DashboardFilters(start=PERIOD[0], end=PERIOD[0])

    assert (filters.previous().start, filters.previous().end) == (D(2025, 3, 2), D(2025, 3, 2))
