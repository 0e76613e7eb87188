"""Pages that change are never served stale from the browser's cache on Back/Forward."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory


@pytest.mark.django_db
def test_signed_in_pages_say_no_store(client):
    user = UserFactory(roles=[Role.MANAGER])
    client.force_login(user)
    response = client.get(reverse("alerts:list"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_note_added_is_still_there_after_back_then_forward(page):
    team = TeamFactory()
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(team=team, owner=coordinator)
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto(f"/leads/{lead.pk}/")
    page.keyboard.press("n")
    page.locator("#action-note textarea").fill("Prefers a call after 5 pm.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#lead-timeline")
    expect(timeline).to_contain_text("Prefers a call after 5 pm.")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/queue/"))
    page.go_forward()

    expect(page.locator("#lead-timeline")).to_contain_text("Prefers a call after 5 pm.")
