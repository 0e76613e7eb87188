"""The API docs (Swagger UI at /api/docs/, ReDoc at /api/redoc/) in headless Chromium:
each renders the operations with no console error, no Content-Security-Policy
violation (the page fixture fails on either), and no request to any other host."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A megabyte of script each and the whole schema, from the test server on a busy machine.
SLOW = 60_000


def requests_watch(page) -> list[str]:
    page.set_default_timeout(SLOW)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def elsewhere(urls: list[str], live_server_url: str) -> list[str]:
    here = urlsplit(live_server_url).netloc
    return [
        url for url in urls if urlsplit(url).scheme not in ("data", "blob")
        and urlsplit(url).netloc != here
    ]  # fmt: skip


def test_redoc_renders_the_operations_from_this_host_alone(page, live_server):
    urls = requests_watch(page)

    page.goto("/api/redoc/")
    expect(page.get_by_role("heading", name="List leads").first).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("heading", name="Get a lead").first).to_be_visible(timeout=SLOW)
    page.get_by_placeholder("Search...").fill("emergency")  # ReDoc's search runs in its worker
    expect(page.get_by_role("menuitem").filter(has_text="break-the-glass").first).to_be_visible(
        timeout=SLOW
    )
    page.wait_for_load_state("networkidle")

    assert any(url.endswith("/api/schema/") for url in urls)
    assert not elsewhere(urls, live_server.url)
    assert page.locator("img[src^='https://']").count() == 0


def test_swagger_ui_renders_the_operations_from_this_host_alone(page, live_server):
    urls = requests_watch(page)

    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="LeadCRM API")).to_be_visible(timeout=SLOW)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/leads/").first).to_be_visible(
        timeout=SLOW
    )
    page.wait_for_load_state("networkidle")

    assert not elsewhere(urls, live_server.url)
