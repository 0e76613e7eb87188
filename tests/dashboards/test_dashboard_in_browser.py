"""The dashboard page in headless Chromium: panels load, every chart is drawn as inline
SVG by the app's own script, and a number opens the list of its leads."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.dashboards.services import lead_facts_refresh
from apps.pipeline.selectors import stage_get_by_slug
from tests.browser import log_in
from tests.factories import ActivityFactory, LeadFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_every_panel_drawn_and_opens_the_leads_behind_a_number(page):
    UserFactory(username="manager1", roles=["manager"])
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
    lead_facts_refresh()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "favicon" not in message.location.get("url", "")
            else None
        ),
    )

    log_in(page, username="manager1", password="correct-horse-battery")
    page.goto("/dashboards/")
    for panel in ("funnel", "trends", "response", "channels", "drop-off", "referrals"):
        page.locator(f"#panel-{panel}[aria-labelledby]").wait_for()
    # Funnel, trends, response, channels, drop-off (no referral or lost-reason chart:
    # nothing was referred or lost).
    charts = page.locator("figure[data-chart]")
    assert charts.count() == 5
    assert page.locator("figure[data-chart] svg[role=img]").count() == charts.count()
    assert errors == []

    steps = page.locator("#panel-funnel table").first
    steps.get_by_role("row", name="Qualified").get_by_role("link", name="1", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Leads behind this number").is_visible()
    assert page.get_by_role("link", name=f"#{qualified.pk}").is_visible()
