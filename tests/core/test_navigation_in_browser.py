"""The top bar in headless Chromium: a manager's navigation fits one row at 1440x900
(the Setup pages in a menu a keyboard opens and closes), and at 390x844 it folds into
the phone menu with nothing wider than the screen."""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import (
    csp_violations_fail,
    csp_violations_watch,
    log_in,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def manager(db):
    return UserFactory(
        username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER]
    )


def _context(browser, live_server, viewport, **extra):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, **extra)
    context.set_default_timeout(10_000)
    return context


def test_a_managers_navigation_fits_one_row_at_1440(browser, live_server, manager):
    context = _context(browser, live_server, {"width": 1440, "height": 900})
    violations = csp_violations_watch(context)
    page = context.new_page()
    log_in(page, username="maria", password=PASSWORD)
    page.goto("/alerts/")

    nav = page.get_by_role("navigation", name="Main")
    items = nav.locator(":scope > a, :scope > .nav-menu > button")
    tops = {round(box["y"]) for box in (item.bounding_box() for item in items.all())}
    assert items.count() >= 6
    assert len(tops) == 1, f"navigation wraps onto {len(tops)} rows"
    link_height = nav.get_by_role("link", name="Queue").bounding_box()["height"]
    assert nav.bounding_box()["height"] < 2 * link_height
    topbar = page.locator(".topbar").bounding_box()["height"]
    assert topbar < 70, f"the top bar is {topbar} px high"

    # The Setup menu, by keyboard: Enter opens it on its first link, Escape closes it.
    setup = nav.get_by_role("button", name="Setup")
    expect(setup).to_have_attribute("aria-expanded", "false")
    setup.focus()
    page.keyboard.press("Enter")
    expect(setup).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Users and roles")).to_be_focused()
    page.keyboard.press("Escape")
    expect(setup).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Users and roles")).to_be_hidden()
    expect(setup).to_be_focused()
    context.close()
    csp_violations_fail(violations)


def test_at_390_the_navigation_is_the_phone_menu_without_horizontal_scroll(
    browser, live_server, manager
):
    context = _context(
        browser, live_server, {"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    violations = csp_violations_watch(context)
    page = context.new_page()
    log_in(page, username="maria", password=PASSWORD)
    for url in ("/alerts/", "/setup/users/", "/setup/intake-keys/", "/sla/policies/", "/account/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    nav.get_by_role("button", name="Setup").click()
    expect(nav.get_by_role("link", name="Intake keys")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    csp_violations_fail(violations)
