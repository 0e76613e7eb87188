"""Browser security in headless Chromium: every page runs under the Content-Security-
Policy without a violation (the shared page fixture fails a test on any), and the
fixture's watch catches one.

Not visited: DRF's browsable API (/api/v1/... in a browser), a development aid with
inline styles of its own, switched off in production.
"""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import DESKTOP_VIEWPORT, csp_violations_watch, log_in
from tests.factories import LeadFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
MANAGER_PAGES = [
    "/queue/",
    "/leads/{lead}/",
    "/dashboards/",
    "/referrals/",
    "/referrals/plan/",
    "/routing/rules/",
    "/routing/dry-run/",
    "/routing/members/",
    "/alerts/",
    "/nurture/",
    "/nurture/tracks/new/",
    "/nurture/failed/",
    "/sla/policies/",
    "/sla/policies/new/",
    "/admin/",
    "/admin/leads/lead/",
    "/api/docs/",  # last: Swagger UI's rendered title is checked below
]


def test_every_page_runs_under_the_policy_without_a_violation(page):
    UserFactory(username="morgan", password=PASSWORD, roles=[Role.MANAGER], is_staff=True,
                is_superuser=True)  # fmt: skip
    lead = LeadFactory()
    log_in(page, username="morgan", password=PASSWORD)

    for path in MANAGER_PAGES:
        response = page.goto(path.format(lead=lead.pk))
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "no-store" in headers["cache-control"], path
    expect(page.get_by_role("heading", name="LeadCRM API")).to_be_visible()  # Swagger UI ran
    # Violations, if any, fail this test when the page fixture closes.


def test_the_watch_catches_an_inline_script(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP_VIEWPORT)
    violations = csp_violations_watch(context)
    tab = context.new_page()
    tab.goto("/accounts/login/")
    tab.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            document.body.setAttribute("style", "color: red");
        }"""
    )
    tab.wait_for_timeout(200)
    injected = tab.evaluate("() => window.injected === true")
    context.close()

    assert not injected
    assert any("script-src" in violation for violation in violations), violations
    assert any("style-src" in violation for violation in violations), violations
