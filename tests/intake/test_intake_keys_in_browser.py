"""End to end in headless Chromium: a manager makes an intake key from the Setup menu,
sees it once with a curl example for the address the page came from, a real intake
POST with it is accepted; after the manager revokes it (with a confirmation), the next
real POST is refused."""

import json
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import UserFactory
from tests.intake.payloads import intake_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def _post_inquiry(base_url: str, key: str) -> int:
    # the live test server on 127.0.0.1: a plain http URL
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/api/v1/intake/",
        data=json.dumps(intake_payload()).encode(),
        headers={
            "Authorization": f"Api-Key {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_key_is_shown_once_works_and_is_refused_once_revoked(
    page, live_server, orthopedics, riverside
):
    UserFactory(username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER])
    log_in(page, username="maria", password=PASSWORD)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Setup").click()
    nav.get_by_role("link", name="Intake keys").click()
    page.get_by_label("Capture channel").fill("Website contact form")
    page.get_by_role("button", name="Make key").click()

    raw_key = page.locator("#new-intake-key").inner_text()
    assert len(raw_key) > 30
    expect(page.locator("#intake-curl")).to_contain_text(
        f"curl -X POST {live_server.url}/api/v1/intake/"
    )
    expect(page.locator("#intake-curl")).to_contain_text(raw_key)
    assert _post_inquiry(live_server.url, raw_key) == 201

    page.reload()  # shown once: never again
    expect(page.locator("#new-intake-key")).to_have_count(0)
    assert raw_key not in page.content()
    row = page.get_by_role("row", name="Website contact form")
    expect(row).to_contain_text("Working")

    row.get_by_role("link", name="Revoke").click()
    expect(
        page.get_by_role("heading", name="Revoke the key of “Website contact form”?")
    ).to_be_visible()
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status")).to_contain_text("was revoked")
    expect(page.get_by_role("row", name="Website contact form")).to_contain_text("Revoked")
    expect(page.get_by_role("row", name="Website contact form")).to_contain_text("by Maria Lopez")

    assert _post_inquiry(live_server.url, raw_key) == 401
