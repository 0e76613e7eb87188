"""A new lead in the coordinator's teams announces itself on the open queue: a notice
with a count, and the sound and browser notification the coordinator switched on."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records what the page asks of the browser's Notification API (the outside world).
NOTIFICATION_RECORDER = """
window.__notifications = [];
window.Notification = function (title, options) {
  window.__notifications.push({ title: title, body: options && options.body });
};
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def waiting_lead(team, *, urgency="routine"):
    now = timezone.now()
    return LeadFactory(
        team=team, routed_at=now, sla_due_at=now + dt.timedelta(minutes=15), urgency=urgency
    )


def test_new_leads_in_my_team_are_counted_in_a_notice_and_notified(page):
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    other_team = TeamFactory(name="Cardio intake", slug="cardio-intake")
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    waiting_lead(team)  # already there when the queue opens: not news
    page.add_init_script(NOTIFICATION_RECORDER)
    log_in(page, username="avery", password="correct-horse-battery")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    notice = page.locator("#queue-arrivals-notice")
    expect(notice).to_be_hidden()
    page.get_by_text("New-lead alerts").click()
    page.get_by_label("Show a browser notification").check()

    waiting_lead(team, urgency="urgent")
    waiting_lead(team)
    waiting_lead(other_team)  # not in my teams
    page.keyboard.press("Escape")  # out of the checkbox: "r" refreshes now
    page.keyboard.press("r")

    expect(notice).to_be_visible()
    expect(notice).to_contain_text("2 new leads in your teams")
    expect(page).to_have_title(re.compile(r"^\(2\) Queue"))
    notifications = page.evaluate("window.__notifications")
    assert notifications == [{"title": "LeadCRM", "body": "2 new leads in your teams"}]

    page.get_by_role("button", name="Got it").click()
    expect(notice).to_be_hidden()
    page.keyboard.press("r")
    page.wait_for_timeout(500)
    expect(notice).to_be_hidden()

    # The choice is remembered in this browser.
    page.reload()
    page.get_by_text("New-lead alerts").click()
    expect(page.get_by_label("Show a browser notification")).to_be_checked()
    expect(page.get_by_label("Play a sound")).not_to_be_checked()
