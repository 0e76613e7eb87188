"""In headless Chromium: the red banner a flagged inquiry puts at the top of the queue
(appearing without a reload) and of the lead page, and the managers' test page.

Set LEADCRM_SCREENSHOTS to a folder to keep screenshots at 1440x900 and 390x844."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.safety.services import lead_safety_screen
from tests.browser import csp_violations_fail, csp_violations_watch, log_in
from tests.factories import (
    LeadFactory,
    PersonFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
POLL_TIMEOUT_MS = 16_000  # the queue polls every 10 s
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def screenshot(page, name: str) -> None:
    folder = os.environ.get("LEADCRM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def coordinator():
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    user = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    user.set_password(PASSWORD)
    user.save()
    TeamMembershipFactory(team=team, user=user)
    return user


def flagged_lead(coordinator, message: str):
    now = timezone.now()
    lead = LeadFactory(
        person=PersonFactory(first_name="Rosa", last_name="Delgado"),
        team=coordinator.teams.get(),
        owner=coordinator,
        routed_at=now,
        sla_due_at=now + dt.timedelta(minutes=20),
        message=message,
    )
    lead_safety_screen(lead=lead, inquiry=None, message=message)
    return lead


def test_a_flagged_inquiry_shows_a_red_banner_on_the_queue_and_the_lead_page(
    browser, live_server, coordinator
):
    for size, viewport in SIZES.items():
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        violations = csp_violations_watch(context)
        page = context.new_page()
        log_in(page, username="avery", password=PASSWORD)
        expect(page).to_have_url(re.compile(r"/queue/$"))
        banner = page.locator("#safety-banner")
        if size == "desktop":
            expect(banner).to_be_empty()
            # Flagged while the queue is open: the banner appears without a reload.
            lead = flagged_lead(coordinator, "crushing pressure in my chest since this morning")
            expect(banner).to_contain_text("Possible emergency", timeout=POLL_TIMEOUT_MS)
        else:
            page.reload()
        expect(banner).to_have_css("background-color", "rgb(179, 38, 30)")
        expect(banner).to_contain_text("Chest pain or pressure")
        expect(banner).to_contain_text("crushing pressure in my chest")
        expect(banner).to_contain_text("Rosa Delgado")
        screenshot(page, f"queue-banner-{size}")

        banner.get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/leads/{lead.pk}/$"))
        lead_banner = page.locator("#safety-banner")
        expect(lead_banner).to_contain_text("Possible emergency: call now.")
        expect(lead_banner).to_contain_text("crushing pressure in my chest")
        screenshot(page, f"lead-banner-{size}")
        context.close()
        csp_violations_fail(violations)


def test_a_manager_tests_a_message_and_sees_what_matched_and_why(browser, live_server):
    manager = UserFactory(username="morgan", first_name="Morgan", roles=[Role.MANAGER])
    manager.set_password(PASSWORD)
    manager.save()
    for size, viewport in SIZES.items():
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        violations = csp_violations_watch(context)
        page = context.new_page()
        log_in(page, username="morgan", password=PASSWORD)
        menu = page.get_by_role("button", name="Menu")
        if menu.is_visible():  # on a phone the navigation sits behind the menu button
            menu.click()
        page.get_by_role("button", name="Setup").click()
        page.get_by_role("link", name="Safety screening").click()
        expect(page.get_by_role("heading", name=re.compile("test a message"))).to_be_visible()

        page.get_by_label("Message to test").fill(
            "No chest pain, I had a stroke years ago. But today my dad's face is drooping "
            "and he can't lift his arm"
        )
        page.get_by_role("button", name="Screen this message").click()

        result = page.locator("#safety-result")
        expect(result.get_by_role("heading")).to_have_text("Flagged: stroke")
        expect(result).to_contain_text("No: negated")
        expect(result).to_contain_text("face is drooping")
        expect(result).to_contain_text("Llame al 911")
        screenshot(page, f"safety-test-page-{size}")

        page.get_by_role("link", name="Phrases").click()
        expect(page.get_by_role("heading", name="Built-in phrases")).to_be_visible()
        screenshot(page, f"safety-phrases-page-{size}")
        context.close()
        csp_violations_fail(violations)
