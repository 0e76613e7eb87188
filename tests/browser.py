"""Headless Chromium (Debian's package) driven by Playwright, for end-to-end tests.

Playwright cannot download its own browsers here, so it launches the system Chromium.
Without one, browser tests skip with a message on a laptop, and fail in CI
(CI or LEADCRM_REQUIRE_BROWSER set).
"""

import os
import shutil
from pathlib import Path

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
    page.goto("/accounts/login/", timeout=30_000)  # the first request warms the server
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


# --- Accessibility: axe-core and the keyboard ---------------------------------------

AXE_VERSION = "4.14.1"  # tests/assets/axe-core/README.md
AXE_SOURCE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")


def axe_check(page, *, include: str | None = None, exclude: list[str] = ()) -> list[dict]:
    """Run axe-core on the page as it is now (WCAG 2.2 A and AA rules) and fail the test
    on any serious or critical violation, listing each with the elements it found.
    Returns the minor and moderate ones, for a test that wants to look at them.

    One line per page: `axe_check(page)`. axe is loaded through the DevTools protocol
    (page.evaluate), not as a script tag, so the page's CSP needs no exception.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;true")
    assert page.evaluate("() => window.axe.version") == AXE_VERSION
    context = {"exclude": [[selector] for selector in exclude]}
    if include:
        context["include"] = [[include]]
    results = page.evaluate(
        """async ([context, tags]) => {
            const results = await window.axe.run(context, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        [context, AXE_TAGS],
    )
    failing = [v for v in results if v["impact"] in AXE_FAILING_IMPACTS]
    if failing:
        lines = [f"axe-core: {len(failing)} serious or critical violation(s) on {page.url}"]
        for violation in failing:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"][:8])
        pytest.fail("\n".join(lines), pytrace=False)
    return [v for v in results if v["impact"] not in AXE_FAILING_IMPACTS]


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: "", hidden: false};
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || el.value || el.name || "")
    .replace(/\\s+/g, " ").trim();
  // WCAG 2.4.11: the focused control is not entirely hidden (by a sticky bar, a dialog).
  const box = el.getBoundingClientRect();
  const points = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]];
  const seen = box.width > 0 && box.height > 0 && points.some(([x, y]) => {
    const hit = document.elementFromPoint(box.left + box.width * x, box.top + box.height * y);
    if (!hit) return false;
    return hit === el || el.contains(hit) || [...(el.labels || [])].some((l) => l.contains(hit));
  });
  return {name, hidden: !seen};
}"""


def keyboard_reaches(page, names: list[str], *, max_tabs: int = 250) -> list[str]:
    """Press Tab from the top of the page until every control named in `names` (a
    substring of its accessible name or label) had the focus, and check that no control
    Tab lands on is entirely hidden (WCAG 2.4.11, a sticky bar over it). Fails the test
    with the tab order seen otherwise; returns that order."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.locator("body").focus()
    seen: list[str] = []
    hidden: list[str] = []
    missing = list(names)
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused["name"])
        if focused["hidden"]:
            hidden.append(focused["name"])
        missing = [wanted for wanted in missing if wanted.lower() not in focused["name"].lower()]
        if not missing:
            break
    if missing or hidden:
        pytest.fail(
            f"On {page.url}: not reachable with Tab: {missing}; focused but hidden: {hidden}"
            f"\nTab order: {seen}",
            pytrace=False,
        )
    return seen
