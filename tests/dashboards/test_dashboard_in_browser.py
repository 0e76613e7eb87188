"""The dashboards in headless Chromium: the overview's figures, a panel's own tab with the
filters kept and its chart drawn as inline SVG by the app's own script, a number opening
the list of its leads (recorded in the access log), and back to the panel."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.audit.models import AccessLogEntry
from apps.dashboards.services import lead_facts_refresh
from apps.pipeline.selectors import stage_get_by_slug
from tests.browser import log_in
from tests.factories import ActivityFactory, LeadFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _leads():
    now = timezone.now()
    qualified = LeadFactory(
        created_at=now - dt.timedelta(days=3),
        first_response_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=12),
        stage=stage_get_by_slug("qualified"),
    )
    ActivityFactory(
        lead=qualified,
        kind="stage_change",
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("qualified"),
        occurred_at=now - dt.timedelta(days=2),
    )
    LeadFactory(created_at=now - dt.timedelta(days=2))
    LeadFactory(created_at=now - dt.timedelta(days=40))  # the 30 days before
    lead_facts_refresh()
    return qualified


def test_overview_then_a_panel_tab_then_the_leads_behind_a_number(page):
    manager = UserFactory(username="manager1", roles=["manager"])
    qualified = _leads()
    # The session's first page (templates compiled, static files found) can take over
    # the default 10 s on a loaded machine.
    page.set_default_timeout(30_000)

    log_in(page, username="manager1", password="correct-horse-battery")
    page.goto("/dashboards/")
    page.get_by_label("Period").select_option("30")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()

    new_leads = page.locator(".dash-headline", has_text="New leads")
    expect(new_leads.locator(".dash-headline-figure")).to_have_text("2")
    expect(new_leads).to_contain_text("Up 100% from 1")
    expect(page.locator(".dash-headline", has_text="Median first response")).to_contain_text(
        "12 min"
    )

    new_leads.get_by_role("link").click()  # to the funnel's own tab
    page.wait_for_load_state()
    assert "/dashboards/funnel/" in page.url and "period=30" in page.url
    expect(page.get_by_role("link", name="Funnel", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_label("Period")).to_have_value("30")  # the filters came along
    expect(page.locator("figure[data-chart] svg[role=img]")).to_have_count(1)

    page.get_by_role("link", name="Response time").click()  # another tab, same filters
    page.wait_for_load_state()
    assert "/dashboards/response/" in page.url and "period=30" in page.url
    page.go_back()
    page.wait_for_load_state()
    assert "/dashboards/funnel/" in page.url

    steps = page.locator("#panel-funnel table").first
    steps.get_by_role("row", name="Qualified").get_by_role("link", name="1", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Leads behind this number")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{qualified.pk}")).to_be_visible()
    assert AccessLogEntry.objects.filter(
        user=manager, what="dashboard drill-down", lead_ids__contains=[qualified.pk]
    ).exists()

    page.get_by_role("link", name="← Funnel").click()
    page.wait_for_load_state()
    assert "/dashboards/funnel/" in page.url and "period=30" in page.url


def test_overview_fits_a_phone(phone_page):
    UserFactory(username="manager1", roles=["manager"])
    _leads()

    log_in(phone_page, username="manager1", password="correct-horse-battery")
    phone_page.goto("/dashboards/?period=30")

    expect(phone_page.locator(".dash-headline")).to_have_count(6)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the overview scrolls sideways on a phone ({width} px)"
