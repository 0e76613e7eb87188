"""A liaison logs a visit from a phone: the few fields a parking lot allows."""

import time
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.referrals.models import LiaisonVisit
from apps.referrals.services import liaison_territories_set, visit_log
from tests.browser import log_in
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_TOUCH_TARGET = 44  # CSS pixels (WCAG 2.5.5, Apple HIG)


def test_liaison_logs_a_visit_on_a_phone_in_a_few_taps(phone_page):
    liaison = UserFactory(username="liaison-phone", first_name="Nora", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    for number in range(8):
        ReferralSourceFactory(name=f"Practice {number}", territory="North Shore")
    target = ReferralSourceFactory(name="Lakeview Orthopedics", territory="North Shore")
    log_in(phone_page, username="liaison-phone", password="correct-horse-battery")

    started = time.monotonic()
    phone_page.goto("/referrals/visits/new/")
    phone_page.get_by_placeholder("Find a source").fill("lakeview")
    choice = phone_page.get_by_label("Lakeview Orthopedics")
    choice.check()
    phone_page.get_by_label("Notes").fill("Dr. Lee wants Saturday MRI slots.")
    save = phone_page.get_by_role("button", name="Save visit")
    save_box = save.bounding_box()
    save.click()
    phone_page.wait_for_url(f"**/referrals/{target.pk}/")
    elapsed = time.monotonic() - started

    visit = LiaisonVisit.objects.get()
    assert list(visit.sources.all()) == [target]
    assert (visit.visited_on, visit.kind, visit.liaison) == (
        timezone.localdate(),
        "in_person",
        liaison,
    )
    assert visit.notes == "Dr. Lee wants Saturday MRI slots."
    assert phone_page.get_by_role("status").or_(phone_page.locator(".message")).first.is_visible()
    # Big enough to hit with a thumb, and quick: well under the 30 seconds a liaison has.
    assert save_box["height"] >= MIN_TOUCH_TARGET
    assert elapsed < 30


def test_visit_form_fits_a_phone_without_sideways_scrolling(phone_page):
    liaison = UserFactory(username="liaison-narrow", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    ReferralSourceFactory(name="Lakeview Orthopedics", territory="North Shore")
    log_in(phone_page, username="liaison-narrow", password="correct-horse-battery")

    phone_page.goto("/referrals/visits/new/")

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # Only the essentials show at first; the rest waits behind "More details".
    assert not phone_page.get_by_label("Value of meal or items given ($)").is_visible()
    in_person = phone_page.locator("label.ref-segment").filter(has_text="In person")
    assert in_person.bounding_box()["height"] >= MIN_TOUCH_TARGET
    assert phone_page.get_by_label("In person").is_checked()


def test_a_double_tapped_save_records_one_visit(phone_page):
    liaison = UserFactory(username="liaison-double", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    ReferralSourceFactory(name="Lakeview Orthopedics", territory="North Shore")
    log_in(phone_page, username="liaison-double", password="correct-horse-battery")
    phone_page.goto("/referrals/visits/new/")
    phone_page.get_by_label("Lakeview Orthopedics").check()
    phone_page.get_by_text("More details").click()
    phone_page.get_by_label("Follow-up task").fill("Bring the MRI schedule")

    phone_page.get_by_role("button", name="Save visit").dblclick()
    phone_page.wait_for_url("**/referrals/*/")

    assert LiaisonVisit.objects.count() == 1


def test_the_gift_limit_warning_shows_while_typing_before_saving(page):
    liaison = UserFactory(username="liaison-gift", roles=["liaison"])
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    source = ReferralSourceFactory(name="Lakeview Orthopedics", territory="North Shore")
    visit_log(
        actor=liaison,
        liaison=liaison,
        sources=[source],
        visited_on=timezone.localdate(),
        gift_value=Decimal("480.00"),
    )
    log_in(page, username="liaison-gift", password="correct-horse-battery")
    page.goto("/referrals/visits/new/")
    page.get_by_label("Lakeview Orthopedics").check()
    page.get_by_text("More details").click()
    warning = page.locator("#gift-limit-warning")

    page.get_by_label("Value of meal or items given ($)").fill("20")
    expect(warning).to_contain_text("Near the $519.00 yearly gift limit: Lakeview Orthopedics")
    page.get_by_label("Value of meal or items given ($)").fill("60")
    expect(warning).to_contain_text("Over the $519.00 yearly gift limit")
    expect(
        page.get_by_label("Save anyway: the compliance office knows about this gift")
    ).to_be_visible()
    assert LiaisonVisit.objects.count() == 1  # nothing saved yet
