"""A manager registers a webhook endpoint in Chromium, copies the secret shown once,
and reads the delivery log, at desktop and phone sizes (screenshots kept for review)."""

import os
import tempfile
from pathlib import Path

import pytest

from apps.accounts.choices import Role
from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.services import webhook_event_emit
from apps.webhooks.tasks import webhook_endpoint_deliver
from tests.browser import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "leadcrm-screenshots"


@pytest.mark.parametrize("tab", ["page", "phone_page"])
def test_a_manager_registers_an_endpoint_and_reads_its_log(request, tab, receiver):
    UserFactory(username="maria", roles=[Role.MANAGER], password="correct-horse-battery")
    browser_tab = request.getfixturevalue(tab)
    if tab == "page":
        browser_tab.set_viewport_size({"width": 1440, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(browser_tab, username="maria", password="correct-horse-battery")

    browser_tab.goto("/webhooks/new/")
    browser_tab.get_by_label("Address").fill(receiver.url)
    browser_tab.get_by_label("Description").fill("Scheduling system")
    browser_tab.get_by_label("A lead was created").check()
    browser_tab.get_by_label("A lead changed stage").check()
    browser_tab.get_by_role("button", name="Create endpoint").click()

    endpoint = WebhookEndpoint.objects.get()
    assert browser_tab.locator("#webhook-secret").inner_text() == endpoint.secret
    browser_tab.screenshot(path=SHOTS / f"webhooks-created-{tab}.png", full_page=True)

    receiver.secret = endpoint.secret
    for lead_id in (11, 12):
        webhook_event_emit(event_type="lead.created", lead_id=lead_id, data={})
    webhook_endpoint_deliver(endpoint.pk)
    receiver.stop()
    webhook_event_emit(event_type="lead.stage_changed", lead_id=11, data={})
    webhook_endpoint_deliver(endpoint.pk)

    browser_tab.get_by_role("link", name="Go to the endpoint").click()
    log = browser_tab.locator("table.webhook-log tbody tr")
    assert log.count() == 3
    assert "ConnectionRefusedError" in log.first.inner_text()
    browser_tab.screenshot(path=SHOTS / f"webhooks-log-{tab}.png", full_page=True)
    browser_tab.get_by_role("button", name="Send again lead.created for lead 12").click()
    assert "queued again" in browser_tab.content()

    browser_tab.goto("/webhooks/")
    browser_tab.screenshot(path=SHOTS / f"webhooks-list-{tab}.png", full_page=True)
    assert "Scheduling system" in browser_tab.locator("table.webhook-endpoints").inner_text()
