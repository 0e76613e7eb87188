"""Every page has an icon the app serves itself: without one, each page logged a 404 in
the browser's console (and browser tests now fail on any console error)."""

import pytest
from django.contrib.staticfiles import finders

from tests.browser import log_in
from tests.factories import UserFactory


def test_favicon_ico_leads_to_the_served_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")
    assert finders.find("favicon.svg")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_load_their_icon_without_a_console_error(page, console_errors, live_server):
    icons = []
    page.on(
        "response",
        lambda response: icons.append(response.status) if "favicon" in response.url else None,
    )
    UserFactory(username="manager1", first_name="Avery", roles=["manager"], is_staff=True)
    log_in(page, username="manager1", password="correct-horse-battery")
    page.wait_for_load_state("networkidle")
    page.goto("/admin/")  # a page without our layout asks for /favicon.ico
    page.wait_for_load_state("networkidle")
    assert icons and all(status in (200, 301, 304) for status in icons)
    assert console_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_console_error_is_collected_for_the_test_to_fail(page, console_errors):
    page.goto("/accounts/login/")
    page.evaluate("console.error('something broke')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught'); }, 0)")
    page.wait_for_timeout(100)
    assert any("something broke" in error for error in console_errors)
    assert any("uncaught" in error for error in console_errors)
    console_errors.clear()  # seen; the fixture would otherwise fail this test
