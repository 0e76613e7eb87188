"""End to end in headless Chromium: a manager moves a coordinator to another team on the
Users and roles page, and the change is on the person's history."""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_a_manager_changes_a_coordinators_team(page):
    ortho = TeamFactory(name="Ortho intake", slug="ortho-intake")
    TeamFactory(name="Heart intake", slug="heart-intake")
    avery = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=ortho, user=avery)
    UserFactory(username="maria", first_name="Maria", last_name="Lopez", roles=[Role.MANAGER])
    UserFactory(username="boss", first_name="Ada", last_name="Admin", roles=[Role.ADMIN])

    log_in(page, username="maria", password=PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Setup").click()
    nav.get_by_role("link", name="Users and roles").click()
    expect(page.get_by_role("row", name="Avery Stone")).to_contain_text("Ortho intake")
    expect(page.get_by_role("row", name="Ada Admin")).to_have_count(0)  # not a manager's

    page.get_by_role("link", name="Avery Stone").click()
    role = page.get_by_label("Role")
    expect(role.locator("option")).to_have_text(["Intake coordinator", "Physician liaison"])
    page.get_by_label("Ortho intake").uncheck()
    page.get_by_label("Heart intake").check()
    page.get_by_role("button", name="Save role and teams").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Saved Avery Stone: teams Ortho intake → Heart intake."
    )
    expect(page.locator("#staff-history ~ ul")).to_contain_text(
        "Teams Ortho intake → Heart intake (by Maria Lopez)."
    )
    assert [team.name for team in avery.teams.all()] == ["Heart intake"]
