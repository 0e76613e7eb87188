"""A change made on the lead page shows on its History tab in plain words, with who made
it, in a real browser (issue 14: change history)."""

import urllib.request

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_edited_email_shows_on_the_history_tab_with_who_changed_it(page, live_server):
    # The server's first answer loads every app (the safety engine's models among them):
    # on a busy machine that alone can outlast the page's timeout.
    urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=120).close()  # noqa: S310
    team = TeamFactory()
    coordinator = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(team=team, owner=coordinator, person__email="old@example.com")
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto(f"/leads/{lead.pk}/")

    page.get_by_text("Edit contact details").click()
    page.locator("#action-person").get_by_label("Email").fill("new@example.com")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator("#lead-notice")).to_contain_text("Contact details saved.")
    page.get_by_role("link", name="History").click()

    expect(page).to_have_url(f"/leads/{lead.pk}/history/")
    change = page.locator(".history-entry", has_text="Person changed").first
    expect(change).to_contain_text("Email: old@example.com → new@example.com")
    expect(change).to_contain_text("by Avery Stone (intake coordinator)")
