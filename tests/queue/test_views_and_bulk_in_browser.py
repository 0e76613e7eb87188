"""In headless Chromium: saving a queue view and picking it again, a bulk reassign with
its confirmation, and the queue and routing rules on a phone without sideways scroll."""

import datetime as dt
import re
import urllib.request

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.leads.models import Activity, Lead
from apps.queue.models import SavedView
from apps.routing.models import RoutingRule
from tests.browser import log_in
from tests.factories import (
    LeadFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def warm_server(live_server):
    """The live server's first page (the sign-in page: allauth's templates and forms
    loaded and compiled) took 18 s on a loaded 2-core machine, longer than the browser's
    10 s timeout; ask for it once before the browser does."""
    page_url = f"{live_server.url}/accounts/login/"
    urllib.request.urlopen(page_url, timeout=120).read()  # noqa: S310 - our own http server


@pytest.fixture
def floor():
    """An ortho team with Avery and Dana, a manager, and waiting leads in two lines."""
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    avery = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    dana = UserFactory(
        username="dana", first_name="Dana", last_name="Ruiz", roles=[Role.INTAKE_COORDINATOR]
    )
    for user in (avery, dana):
        TeamMembershipFactory(team=team, user=user)
    UserFactory(username="morgan", first_name="Morgan", roles=[Role.MANAGER])
    ortho = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    cardio = ServiceLineFactory(slug="cardiology", name="Cardiology")
    now = timezone.now()
    leads = {}
    for n, (first, line) in enumerate(
        [("Rosa", ortho), ("Omar", ortho), ("Carla", cardio), ("Chen", cardio)]
    ):
        leads[first] = LeadFactory(
            person=PersonFactory(first_name=first, last_name="Tester"),
            service_line=line,
            team=team,
            owner=None,
            created_at=now - dt.timedelta(minutes=30),
            routed_at=now - dt.timedelta(minutes=30),
            sla_due_at=now + dt.timedelta(minutes=20 + n),
        )
    return {"team": team, "cardio": cardio, "leads": leads, "dana": dana}


def names_in_queue(page) -> list[str]:
    return page.locator("#queue-list tr.queue-row a.row-link").all_inner_texts()


def test_a_coordinator_saves_a_view_and_picks_it_again(page, floor):
    log_in(page, username="avery", password=PASSWORD)
    page.goto("/queue/")
    page.get_by_label("Service line", exact=True).select_option(label="Cardiology")
    expect(page.locator("#queue-list tr.queue-row")).to_have_count(2)
    page.get_by_label("Show the column Owner").check()  # show the owner column too
    expect(page.locator("#queue-list th.col-owner")).to_have_count(1)

    page.get_by_text("Save these filters as a view").click()
    page.get_by_label("Name of the view").fill("Cardiology waiting")
    page.get_by_role("button", name="Save view").click()

    view = SavedView.objects.get()
    expect(page).to_have_url(re.compile(rf"/queue/\?view={view.pk}$"))
    assert view.filters == {"scope": "all", "service_line": str(floor["cardio"].pk)}
    assert "owner" in view.columns
    assert sorted(names_in_queue(page)) == ["Carla Tester", "Chen Tester"]

    page.goto("/queue/")
    assert len(names_in_queue(page)) == 4
    page.get_by_label("Saved view", exact=True).select_option(label="Cardiology waiting")
    expect(page).to_have_url(re.compile(rf"view={view.pk}"))
    assert sorted(names_in_queue(page)) == ["Carla Tester", "Chen Tester"]
    expect(page.get_by_label("Service line", exact=True)).to_have_value(str(floor["cardio"].pk))
    expect(page.locator("#queue-list th.col-owner")).to_have_count(1)

    # The keyboard still drives the queue: j selects the first row, / goes to search.
    page.keyboard.press("j")
    expect(page.locator("#queue-list tr.queue-row").first).to_have_class(re.compile("is-selected"))
    page.keyboard.press("x")
    expect(page.locator("#queue-bulk-count")).to_have_text("1 lead ticked")
    page.locator("body").press("/")
    expect(page.locator("#id_q")).to_be_focused()


def test_a_manager_reassigns_ticked_leads_after_a_confirmation(page, floor):
    log_in(page, username="morgan", password=PASSWORD)
    page.goto("/queue/?scope=teams")
    rosa, omar = floor["leads"]["Rosa"], floor["leads"]["Omar"]
    page.get_by_label("Select Rosa Tester").check()
    page.get_by_label("Select Omar Tester").check()
    expect(page.locator("#queue-bulk-count")).to_have_text("2 leads ticked")

    # The 10-second refresh redraws the rows: the ticks stay.
    page.keyboard.press("r")
    page.wait_for_timeout(1500)
    expect(page.get_by_label("Select Rosa Tester")).to_be_checked()

    page.get_by_label("Action").select_option(label="Reassign to…")
    page.get_by_label("New owner").select_option(label="Dana Ruiz")
    page.get_by_label("Reason").fill("Avery is off sick")
    page.get_by_role("button", name="Continue…").click()

    expect(page.get_by_role("heading", name="Reassign 2 leads to Dana Ruiz?")).to_be_visible()
    assert not Lead.objects.filter(owner=floor["dana"]).exists()
    # A double tap on Yes: the second is dropped (and its token refused by the server).
    page.get_by_role("button", name=re.compile("Yes, reassign 2 leads")).dblclick()

    expect(page.get_by_role("heading", name="Done: 2 of 2 leads")).to_be_visible()
    assert set(Lead.objects.filter(owner=floor["dana"]).values_list("pk", flat=True)) == {
        rosa.pk,
        omar.pk,
    }
    assert Activity.objects.filter(lead=rosa, kind="assignment", body__contains="Dana").exists()

    assert Activity.objects.filter(lead=rosa, kind="assignment").count() == 1


def test_queue_and_routing_rules_fit_a_phone(phone_page, floor):
    team = floor["team"]
    RoutingRule.objects.create(
        name="Orthopedic referrals from the north campus with a very long name indeed",
        target_team=team,
        position=1,
    )
    for username, url in (("avery", "/queue/"), ("morgan", "/queue/?scope=teams"),
                          ("morgan", "/routing/rules/")):  # fmt: skip
        phone_page.context.clear_cookies()
        log_in(phone_page, username=username, password=PASSWORD)
        phone_page.goto(url)
        phone_page.wait_for_load_state("networkidle")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        viewport = phone_page.evaluate("window.innerWidth")
        assert width <= viewport, f"{url} as {username} scrolls sideways: {width} > {viewport}"
        for button in phone_page.locator("main button:visible, main .button:visible").all():
            box = button.bounding_box()
            assert box is None or box["x"] + box["width"] <= viewport + 0.5, (url, button)


def test_deleting_a_view_asks_first(page, floor):
    avery = floor["dana"].__class__.objects.get(username="avery")
    view = SavedView.objects.create(owner=avery, name="Old view")
    log_in(page, username="avery", password=PASSWORD)
    page.goto("/queue/")
    page.get_by_text("Manage views").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete Old view").click()
    page.wait_for_timeout(500)
    assert SavedView.objects.filter(pk=view.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Old view").click()
    expect(page.get_by_text("View “Old view” deleted.")).to_be_visible()
    assert not SavedView.objects.filter(pk=view.pk).exists()
