"""A long word without spaces (a pasted link, a 10,000-character note) wraps: it once
made the lead page 100,000 px wide."""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from tests.browser import log_in
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    PersonFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "x" * 10_000


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)])
def test_lead_page_with_a_10000_character_word_keeps_the_window_width(page, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    team = TeamFactory()
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(
        team=team,
        owner=coordinator,
        person=PersonFactory(last_name="Y" * 100),
        message=LONG_WORD,
        landing_page="https://example.org/" + "a" * 500,
    )
    ActivityFactory(lead=lead, kind="note", body=LONG_WORD, author=coordinator)
    log_in(page, username="avery", password="correct-horse-battery")

    for url in (f"/leads/{lead.pk}/", "/queue/"):
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
