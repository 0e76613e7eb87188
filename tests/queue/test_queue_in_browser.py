"""End to end in headless Chromium: a coordinator's shift, from a newly routed lead
appearing in the queue to its handoff to scheduling."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.leads.models import Activity, Lead
from apps.servicelines.models import QualificationQuestion
from tests.browser import log_in
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
# The queue polls every 10 s; allow for a slow machine.
POLL_TIMEOUT_MS = 16_000


@pytest.fixture
def shift():
    """A coordinator in an orthopedics team, and what a routed lead needs."""
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    coordinator = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=team, user=coordinator)
    line = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    QualificationQuestion.objects.create(
        service_line=line, position=1, text="Has imaging been done?", answer_kind="yes_no"
    )
    QualificationQuestion.objects.create(
        service_line=line, position=2, text="Pain score (0-10)", answer_kind="number"
    )
    location = LocationFactory(
        slug="riverside", name="Riverside Campus", time_zone="America/Chicago"
    )
    return {"team": team, "coordinator": coordinator, "line": line, "location": location}


def route_a_new_lead(shift, *, owner="coordinator", **fields) -> Lead:
    """What routing leaves behind: owner, team, routed_at, the response clock, and its
    decision on the timeline."""
    now = timezone.now()
    lead = LeadFactory(
        person=PersonFactory(first_name="Rosa", last_name="Delgado", phone="+13125550142"),
        service_line=shift["line"],
        location=shift["location"],
        team=shift["team"],
        owner=shift["coordinator"] if owner == "coordinator" else owner,
        routed_at=now,
        sla_due_at=now + dt.timedelta(minutes=15),
        urgency="urgent",
        **fields,
    )
    Activity.objects.create(
        lead=lead,
        kind="assignment",
        body="Rule 1 “Ortho” matched. Strategy: round robin in Ortho intake. Chosen: Avery Stone.",
        details={"to_owner_id": lead.owner_id, "to_team_id": shift["team"].pk},
    )
    return lead


def test_coordinator_works_a_new_lead_from_queue_to_scheduled(page, shift):
    log_in(page, username="avery", password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/queue/$"))
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.get_by_text("Nothing due here.")).to_be_visible()

    # Routed while the queue is open: it appears without a reload.
    lead = route_a_new_lead(shift)
    row = page.locator(f"#queue-lead-{lead.pk}")
    expect(row).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(row).to_contain_text("Rosa Delgado")
    expect(row).to_contain_text("Orthopedics")
    expect(row.locator("time.countdown")).to_have_text(re.compile(r"1[45]:\d\d left"))

    # Open it with the keyboard.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/leads/{lead.pk}/$"))
    expect(page.get_by_role("heading", name="Rosa Delgado")).to_be_visible()

    # Log a call: the response clock stops. (The shortcuts exist once the page's deferred
    # scripts ran: under load the heading shows before they do.)
    page.wait_for_load_state("load")
    page.keyboard.press("c")
    expect(page.get_by_label("I called them")).to_be_focused()
    page.get_by_label("Outcome").select_option("reached")
    page.get_by_label("Duration (minutes)").fill("6")
    page.get_by_label("Note").first.fill("Knee pain for 3 months; has an MRI.")
    page.get_by_role("button", name="Log call").click()
    expect(page.get_by_text("Call logged.")).to_be_visible()
    expect(page.locator("#lead-summary")).to_contain_text("Answered")

    # Qualify: the service line's questions are asked.
    page.keyboard.press("s")
    page.get_by_label("Move to stage").select_option(label="Qualified")
    expect(page.get_by_label("Has imaging been done?")).to_be_visible()
    page.get_by_role("button", name="Move to Qualified").click()
    expect(page.get_by_text("Answer this question to qualify the lead.").first).to_be_visible()
    page.get_by_label("Has imaging been done?").select_option("yes")
    page.get_by_label("Pain score (0-10)").fill("7")
    page.get_by_role("button", name="Move to Qualified").click()
    expect(page.get_by_text("Moved to Qualified.")).to_be_visible()

    # Schedule: the appointment is the handoff to scheduling.
    page.keyboard.press("s")
    page.get_by_label("Move to stage").select_option(label="Scheduled")
    day = timezone.localdate() + dt.timedelta(days=2)
    page.get_by_label("Appointment date").fill(day.isoformat())
    page.get_by_label("Appointment time").fill("09:30")
    page.get_by_label("Appointment location").select_option(label="Riverside Campus")
    page.get_by_role("button", name="Move to Scheduled").click()
    expect(page.get_by_text("Moved to Scheduled.")).to_be_visible()

    timeline = page.locator("#lead-timeline")
    for step in (
        "Routed",
        "Chosen: Avery Stone.",
        "Outbound call · Reached · 6 min",
        "Knee pain for 3 months; has an MRI.",
        "Stage: New → Qualified",
        "Stage: Qualified → Scheduled",
        f"Appointment {day:%a, %b} {day.day}, {day.year}, 09:30",  # the long date format
    ):
        expect(timeline).to_contain_text(step)

    # Handed off: it has left the open queue.
    page.keyboard.press("q")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    expect(page.locator(f"#queue-lead-{lead.pk}")).to_have_count(0)
    lead.refresh_from_db()
    assert lead.stage.slug == "scheduled" and lead.first_response_at is not None


def test_a_lead_claimed_by_a_colleague_drops_out_while_i_watch(page, shift):
    colleague = UserFactory(username="blake", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=shift["team"], user=colleague)
    lead = route_a_new_lead(shift, owner=None)
    log_in(page, username="avery", password=PASSWORD)
    row = page.locator(f"#queue-lead-{lead.pk}")
    expect(row).to_contain_text("Unclaimed")

    Lead.objects.filter(pk=lead.pk).update(owner=colleague)

    expect(row).to_have_count(0, timeout=POLL_TIMEOUT_MS)


def test_every_quick_action_works_without_javascript(browser, live_server, shift):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        lead = route_a_new_lead(shift)
        log_in(page, username="avery", password=PASSWORD)
        page.goto(f"/leads/{lead.pk}/")

        page.locator("#action-note summary").click()
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_text("Write the note first.")).to_be_visible()
        page.get_by_label("Note", exact=True).last.fill("Prefers a call after 5 pm.")
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_text("Note added.")).to_be_visible()

        page.locator("#action-stage summary").click()
        page.get_by_label("Move to stage").select_option(label="Qualified")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Has imaging been done?").select_option("no")
        page.get_by_label("Pain score (0-10)").fill("4")
        page.get_by_role("button", name="Move to Qualified").click()
        expect(page.get_by_text("Moved to Qualified.")).to_be_visible()
    finally:
        context.close()
    lead.refresh_from_db()
    assert lead.stage.slug == "qualified"
    assert lead.activities.filter(kind="note", body="Prefers a call after 5 pm.").exists()


@pytest.mark.parametrize("width", [1280, 820])
def test_queue_and_lead_page_fit_a_desktop_and_a_tablet(browser, live_server, shift, width):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        lead = route_a_new_lead(shift)
        log_in(page, username="avery", password=PASSWORD)
        for path in ("/queue/", f"/leads/{lead.pk}/"):
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways at {width}px"
    finally:
        context.close()


def test_focus_is_visible_on_the_queue(page, shift):
    route_a_new_lead(shift)
    log_in(page, username="avery", password=PASSWORD)
    page.keyboard.press("j")
    shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert shadow and shadow != "none"


def test_a_new_urgent_lead_is_the_first_row_above_weeks_old_follow_ups(page, shift):
    """The demo's buried urgent lead (row 24 of 50, below follow-ups overdue by weeks):
    now the first row a coordinator sees, without scrolling."""
    team, coordinator = shift["team"], shift["coordinator"]
    now = timezone.now()
    started = now - dt.timedelta(days=31)
    answered = LeadFactory(
        team=team,
        owner=coordinator,
        created_at=started,
        routed_at=started,
        sla_due_at=started + dt.timedelta(hours=1),
        first_response_at=started + dt.timedelta(minutes=20),
    )
    for days in range(30, 8, -1):
        Activity.objects.create(
            lead=answered,
            kind="task",
            body=f"Follow up ({days} days ago)",
            assignee=coordinator,
            author=coordinator,
            due_at=now - dt.timedelta(days=days),
        )
    urgent = LeadFactory(
        person=PersonFactory(first_name="Rosa", last_name="Delgado", phone="+13125550142"),
        team=team,
        routed_at=now,
        sla_due_at=now + dt.timedelta(minutes=15),
        urgency="urgent",
    )

    log_in(page, username="avery", password=PASSWORD)

    first_row = page.locator("tr[id^='queue-']").first
    expect(first_row).to_have_attribute("id", f"queue-lead-{urgent.pk}")
    expect(first_row).to_contain_text("Delgado")
    expect(first_row).to_be_in_viewport()
