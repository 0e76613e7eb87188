"""Headless Chromium (Debian's package) driven by Playwright, for end-to-end tests.

Playwright cannot download its own browsers here, so it launches the system Chromium.
Without one, browser tests skip with a message on a laptop, and fail in CI
(CI or LEADCRM_REQUIRE_BROWSER set).
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        message = "Chromium is not installed (apt-get install chromium); browser tests need it."
        if os.environ.get("CI") or os.environ.get("LEADCRM_REQUIRE_BROWSER"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django's ORM calls made by
    # the test itself (factories, assertions) are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Every Content-Security-Policy violation in a page is written to the console, where the
# fixtures below collect it (Chromium's own "Refused to ..." console errors say the same).
CSP_VIOLATION_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


def csp_violations_watch(context) -> list[str]:
    """Collect the CSP violations of every page of a browser context."""
    violations: list[str] = []
    context.add_init_script(CSP_VIOLATION_REPORTER)

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and (
            "CSP violation" in text or "Content Security Policy" in text
        ):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", on_console)
    return violations


def csp_violations_fail(violations: list[str]) -> None:
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def console_errors():
    """Console errors and uncaught page errors of the test's tabs: any left when the test
    ends fails it (a 404 favicon, a script error). A test that provokes one on purpose
    (an error page) checks it and clears the list."""
    errors: list[str] = []
    yield errors
    if errors:
        pytest.fail("Browser console errors:\n" + "\n".join(errors), pytrace=False)


def _watch_console(tab, errors: list[str]) -> None:
    tab.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))


@pytest.fixture
def page(browser, live_server, console_errors):
    """A fresh browser tab at desktop size, its base URL the live test server; the test
    fails on any console error or Content-Security-Policy violation."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP_VIEWPORT)
    context.set_default_timeout(10_000)
    violations = csp_violations_watch(context)
    tab = context.new_page()
    _watch_console(tab, console_errors)
    yield tab
    context.close()
    csp_violations_fail(violations)


@pytest.fixture
def phone_page(browser, live_server, console_errors):
    """A fresh browser tab at a phone-sized viewport (liaisons in a parking lot); the
    test fails on any console error or Content-Security-Policy violation."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    violations = csp_violations_watch(context)
    tab = context.new_page()
    _watch_console(tab, console_errors)
    yield tab
    context.close()
    csp_violations_fail(violations)


def log_in(page, *, username: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
