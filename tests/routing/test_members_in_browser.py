"""End to end in headless Chromium: a manager gives a coordinator Spanish on the
Team members page, and the list shows it."""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_manager_gives_a_coordinator_spanish(page):
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    coordinator = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", languages=["en"],
        roles=[Role.INTAKE_COORDINATOR],
    )  # fmt: skip
    TeamMembershipFactory(team=team, user=coordinator)
    UserFactory(username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER])

    log_in(page, username="maria", password=PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Setup").click()
    nav.get_by_role("link", name="Team members").click()
    row = page.locator(f"#team-{team.pk}-member-{coordinator.pk}")
    expect(row).to_contain_text("English")
    expect(row).not_to_contain_text("Spanish")

    row.get_by_role("link", name="Edit Avery Stone").click()
    expect(page.get_by_role("heading", name="Avery Stone")).to_be_visible()
    page.get_by_label("Spanish", exact=True).check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Saved Avery Stone: languages English → English, Spanish."
    )
    expect(row).to_contain_text("English, Spanish")
    expect(page.locator('#nav-setup-menu a[aria-current="page"]')).to_have_text("Team members")
