"""Choosing SMS on the lead page warns at once when the person never agreed to texts."""

import pytest
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.leads.models import Activity
from tests.browser import log_in
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_sms_without_consent_shows_the_warning_before_saving(page):
    team = TeamFactory()
    coordinator = UserFactory(username="avery", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    lead = LeadFactory(team=team, owner=coordinator)
    log_in(page, username="avery", password="correct-horse-battery")
    page.goto(f"/leads/{lead.pk}/")
    page.keyboard.press("e")
    warning = page.locator("#sms-consent-warning")
    anyway = page.get_by_label("Log it anyway: the text was sent without SMS consent")
    expect(warning).to_be_hidden()
    expect(anyway).to_be_hidden()

    page.locator("#action-message").get_by_role("radio", name="SMS").check()
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("has not agreed to texts")
    page.get_by_role("button", name="Log message sent").click()
    expect(page.locator("#action-message")).to_contain_text("tick this box")
    assert not Activity.objects.filter(lead=lead, kind="sms").exists()

    page.get_by_label("Log it anyway: the text was sent without SMS consent").check()
    page.get_by_role("button", name="Log message sent").click()
    expect(page.locator("#lead-notice")).to_contain_text("Message logged.")
    assert Activity.objects.filter(lead=lead, kind="sms").count() == 1
