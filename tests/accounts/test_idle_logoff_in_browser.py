"""Idle logoff in a real browser: the warning a moment before, one click to stay, and the
queue's own polling never keeping a walked-away coordinator signed in. The timeout is
shortened by setting so the test takes seconds, not 15 minutes."""

import re

import pytest

from tests.browser import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_idle(settings):
    settings.SESSION_IDLE_SECONDS = 24
    settings.SESSION_IDLE_WARNING_SECONDS = 6


def test_an_idle_queue_keeps_polling_and_is_signed_out_after_a_warning(page, short_idle):
    UserFactory(username="avery", roles=["manager"])
    log_in(page, username="avery", password="correct-horse-battery")
    polls = []
    page.on(
        "request",
        lambda request: (
            polls.append(request)
            if request.method == "POST" and request.url.endswith("/queue/")
            else None
        ),
    )
    page.goto("/queue/")

    warning = page.get_by_role("dialog", name="Still there?")
    warning.wait_for(state="visible", timeout=25_000)
    assert "You will be signed out in" in warning.inner_text()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=.*queue"), timeout=15_000)

    assert len(polls) >= 2  # the queue refreshed itself at 10 s and 20 s meanwhile
    assert page.get_by_text("You were signed out after 24 seconds without activity.").is_visible()
    assert page.get_by_role("heading", name="Log in to LeadCRM").is_visible()


def test_one_click_on_stay_signed_in_keeps_the_session(page, settings):
    settings.SESSION_IDLE_SECONDS = 10
    settings.SESSION_IDLE_WARNING_SECONDS = 5
    UserFactory(username="avery", roles=["manager"])
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto("/account/")

    warning = page.get_by_role("dialog", name="Still there?")
    warning.wait_for(state="visible", timeout=10_000)
    warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    page.wait_for_timeout(7_000)  # past the first deadline

    assert page.url.endswith("/account/")
    page.reload()
    assert page.get_by_role("heading", name="Your account").is_visible()
