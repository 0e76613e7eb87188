"""A liaison's pages on a 390x844 phone: a Menu button instead of rows of links, the
directory as cards, and no sideways scrolling anywhere."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.referrals.services import liaison_territories_set, visit_log
from tests.browser import log_in
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_pages_fit_a_phone_with_a_menu_and_cards(phone_page):
    liaison = UserFactory(username="liaison-phone", first_name="Nora", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    sources = [
        ReferralSourceFactory(
            name=f"Lakeview Orthopedics and Sports Medicine Partners {n}",
            territory="North Shore",
            organization_name="Lakeview Health System of the North Shore",
        )
        for n in range(3)
    ]
    visit = visit_log(
        actor=liaison, liaison=liaison, sources=sources[:1], visited_on=timezone.localdate()
    )
    log_in(phone_page, username="liaison-phone", password="correct-horse-battery")

    for url in (
        "/referrals/plan/",
        "/referrals/",
        f"/referrals/{sources[0].pk}/",
        "/referrals/visits/new/",
        f"/referrals/visits/{visit.pk}/edit/",
        "/search/",
    ):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"

    phone_page.goto("/referrals/")
    nav = phone_page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    menu = phone_page.get_by_role("button", name="Menu")
    assert menu.bounding_box()["height"] >= 44
    menu.click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Referrals")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    # Each source is a card: its labels beside its values, no table header.
    expect(phone_page.locator(".ref-cards thead")).to_be_hidden()
    card = phone_page.locator(".ref-cards tbody tr").first
    assert card.bounding_box()["width"] <= 390
    expect(card.locator('td[data-label="Territory"]')).to_contain_text("North Shore")
