import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.leads.choices import Channel, LeadType, Urgency
from apps.pipeline.selectors import stage_get_by_slug
from apps.queue.selectors import QueueCursor
from tests.factories import (
    ActivityFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("queue:index")


def rows(response) -> list[str]:
    """The queue's rows in order, as "lead-<id>" / "task-<id>"."""
    return re.findall(r'<tr id="queue-((?:lead|task)-\d+)"', response.content.decode())


def lead_row(lead) -> str:
    return f"lead-{lead.pk}"


def all_pages(client, *, size: int, pages: int = 20, **form) -> list[str]:
    """The rows of every page of the queue, following each page's "after" cursor."""
    seen, after = [], ""
    for _ in range(pages):
        response = client.post(
            QUEUE, {"size": size, "after": after, **form}, HTTP_HX_REQUEST="true"
        )
        seen += rows(response)
        match = re.search(r'name="after" value="([^"]+)"', response.content.decode())
        if not match:
            break
        after = match.group(1)
    return seen


def task(lead, user, *, due_in, **fields):
    return ActivityFactory(
        lead=lead,
        kind="task",
        assignee=user,
        author=user,
        due_at=timezone.now() + dt.timedelta(minutes=due_in),
        **fields,
    )


def test_coordinator_lands_on_the_queue_after_login(logged_in, coordinator):
    response = logged_in(coordinator).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == QUEUE


def test_manager_lands_on_the_dashboards(logged_in, manager):
    response = logged_in(manager).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:index")


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_queue_shows_my_leads_and_unclaimed_leads_of_my_teams_only(
    logged_in, coordinator, colleague, team, other_team, routed_lead
):
    mine = routed_lead(team=team, owner=coordinator)
    unclaimed = routed_lead(team=team)
    colleagues = routed_lead(team=team, owner=colleague)
    other_teams = routed_lead(team=other_team)

    shown = rows(logged_in(coordinator).get(QUEUE))

    assert lead_row(mine) in shown
    assert lead_row(unclaimed) in shown
    assert lead_row(colleagues) not in shown
    assert lead_row(other_teams) not in shown


def test_breached_first_then_by_time_left_then_leads_already_answered(
    logged_in, coordinator, team, routed_lead
):
    later = routed_lead(team=team, owner=coordinator, due_in=90)
    answered = routed_lead(
        team=team, owner=coordinator, due_in=-300, first_response_at=timezone.now()
    )
    breached = routed_lead(team=team, owner=coordinator, due_in=-5)
    sooner = routed_lead(team=team, due_in=10)

    shown = rows(logged_in(coordinator).get(QUEUE))

    assert shown == [lead_row(breached), lead_row(sooner), lead_row(later), lead_row(answered)]


def test_countdown_is_coloured_by_the_state_of_the_clock(logged_in, coordinator, team, routed_lead):
    breached = routed_lead(team=team, owner=coordinator, due_in=-5)
    on_time = routed_lead(team=team, owner=coordinator, due_in=600)
    html = logged_in(coordinator).get(QUEUE).content.decode()

    assert re.search(rf'id="queue-lead-{breached.pk}" class="queue-row row-breached', html)
    assert re.search(rf'id="queue-lead-{on_time.pk}" class="queue-row row-on_time', html)
    assert "Breached 5:0" in html  # "Breached 5:00 ago", give or take a second


def test_my_due_tasks_and_callbacks_are_in_the_same_list_by_due_time(
    logged_in, coordinator, team, routed_lead
):
    first = routed_lead(team=team, owner=coordinator, due_in=5)
    last = routed_lead(team=team, owner=coordinator, due_in=120)
    answered = routed_lead(team=team, owner=coordinator, first_response_at=timezone.now())
    callback = task(answered, coordinator, due_in=30, details={"task_type": "callback"})

    response = logged_in(coordinator).get(QUEUE)

    assert rows(response) == [
        lead_row(first),
        f"task-{callback.pk}",
        lead_row(last),
        lead_row(answered),
    ]
    assert "Callback" in response.content.decode()


def test_tasks_done_due_another_day_or_someone_elses_are_not_listed(
    logged_in, coordinator, colleague, team, routed_lead
):
    lead = routed_lead(team=team, owner=coordinator)
    done = task(lead, coordinator, due_in=-10, completed_at=timezone.now())
    next_week = task(lead, coordinator, due_in=7 * 24 * 60)
    colleagues = task(lead, colleague, due_in=-10)

    shown = rows(logged_in(coordinator).get(QUEUE))

    for hidden in (done, next_week, colleagues):
        assert f"task-{hidden.pk}" not in shown


@pytest.mark.parametrize(
    "stage_slug", ["scheduled", "not-ready", "completed", "disqualified", "referred-elsewhere"]
)
def test_leads_handed_off_nurtured_or_closed_leave_the_queue(
    logged_in, coordinator, team, routed_lead, stage_slug
):
    stage = stage_get_by_slug(stage_slug)
    closed_at = timezone.now() if stage.is_closed else None
    lead = routed_lead(team=team, owner=coordinator, stage=stage, closed_at=closed_at)

    assert lead_row(lead) not in rows(logged_in(coordinator).get(QUEUE))


@pytest.mark.parametrize(
    ("param", "matching", "other"),
    [
        ("urgency", {"urgency": Urgency.URGENT}, {"urgency": Urgency.ROUTINE}),
        ("lead_type", {"lead_type": LeadType.CAREGIVER}, {"lead_type": LeadType.PATIENT}),
        ("channel", {"channel": Channel.PHONE}, {"channel": Channel.WEB_FORM}),
    ],
)
def test_filters_by_code(logged_in, coordinator, team, routed_lead, param, matching, other):
    wanted = routed_lead(team=team, owner=coordinator, **matching)
    unwanted = routed_lead(team=team, owner=coordinator, **other)

    shown = rows(logged_in(coordinator).get(QUEUE, {param: next(iter(matching.values()))}))

    assert shown == [lead_row(wanted)]
    assert lead_row(unwanted) not in shown


@pytest.mark.parametrize("param", ["service_line", "location", "stage"])
def test_filters_by_id(logged_in, coordinator, team, routed_lead, param):
    values = {
        "service_line": (ServiceLineFactory(slug="bariatrics"), ServiceLineFactory(slug="imaging")),
        "location": (LocationFactory(slug="north"), LocationFactory(slug="south")),
        "stage": (stage_get_by_slug("contacted"), stage_get_by_slug("new")),
    }[param]
    wanted = routed_lead(team=team, owner=coordinator, **{param: values[0]})
    routed_lead(team=team, owner=coordinator, **{param: values[1]})

    shown = rows(logged_in(coordinator).get(QUEUE, {param: values[0].pk}))

    assert shown == [lead_row(wanted)]


# Which of my lead, an unclaimed one and a colleague's (all in my team) each scope shows.
SCOPES = [
    ("mine", {"mine"}),
    ("unassigned", {"unclaimed"}),
    ("teams", {"mine", "unclaimed", "colleagues"}),
    ("all", {"mine", "unclaimed"}),
]


@pytest.mark.parametrize(("scope", "expected"), SCOPES)
def test_scopes(logged_in, coordinator, colleague, team, routed_lead, scope, expected):
    leads = {
        "mine": routed_lead(team=team, owner=coordinator),
        "unclaimed": routed_lead(team=team),
        "colleagues": routed_lead(team=team, owner=colleague),
    }

    shown = set(rows(logged_in(coordinator).get(QUEUE, {"scope": scope})))

    assert shown == {lead_row(leads[name]) for name in expected}


@pytest.mark.parametrize(("scope", "expected"), SCOPES)
def test_a_search_keeps_to_the_scope(
    logged_in, coordinator, colleague, team, other_team, routed_lead, scope, expected
):
    # A search looks its leads up by id, in one slice made of the scope's (see
    # _lead_sources).
    def rivera(**where):
        return routed_lead(person=PersonFactory(last_name="Rivera"), **where)

    leads = {
        "mine": rivera(team=team, owner=coordinator),
        "unclaimed": rivera(team=team),
        "colleagues": rivera(team=team, owner=colleague),
        "other team": rivera(team=other_team),
    }
    routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Okafor"))

    shown = set(rows(logged_in(coordinator).post(QUEUE, {"q": "rivera", "scope": scope})))

    assert shown == {lead_row(leads[name]) for name in expected}


def test_a_search_shows_my_tasks_on_the_leads_found_only(logged_in, coordinator, team, routed_lead):
    found = routed_lead(
        team=team, owner=coordinator, person=PersonFactory(last_name="Rivera"), due_in=5
    )
    other = routed_lead(
        team=team, owner=coordinator, person=PersonFactory(last_name="Okafor"), due_in=5
    )
    today, earlier = task(found, coordinator, due_in=10), task(found, coordinator, due_in=-3000)
    task(other, coordinator, due_in=10)

    shown = rows(logged_in(coordinator).post(QUEUE, {"q": "rivera"}, HTTP_HX_REQUEST="true"))

    assert shown == [lead_row(found), f"task-{today.pk}", f"task-{earlier.pk}"]


@pytest.mark.parametrize("urgency", ["urgent", "routine"])
def test_the_urgency_filter_shows_only_that_urgency(
    logged_in, coordinator, team, routed_lead, urgency
):
    leads = {
        level: routed_lead(team=team, owner=coordinator, urgency=level)
        for level in ("urgent", "routine")
    }

    shown = rows(logged_in(coordinator).get(QUEUE, {"urgency": urgency}))

    assert shown == [lead_row(leads[urgency])]


def test_a_lead_claimed_by_a_colleague_drops_out_of_my_queue(
    logged_in, coordinator, colleague, team, routed_lead
):
    lead = routed_lead(team=team)
    client = logged_in(coordinator)
    assert lead_row(lead) in rows(client.get(QUEUE, HTTP_HX_REQUEST="true"))

    lead.owner = colleague
    lead.save(update_fields=["owner"])

    assert lead_row(lead) not in rows(client.get(QUEUE, HTTP_HX_REQUEST="true"))


@pytest.mark.parametrize(
    "typed", ["(312) 555-0188", "312.555.0188", "+1 312 555 0188", "3125550188"]
)
def test_search_finds_a_phone_typed_in_any_format(logged_in, coordinator, team, routed_lead, typed):
    wanted = routed_lead(team=team, owner=coordinator, person=PersonFactory(phone="+13125550188"))
    routed_lead(team=team, owner=coordinator, person=PersonFactory(phone="+13125550199"))

    response = logged_in(coordinator).post(QUEUE, {"q": typed})

    assert response.status_code == 200
    assert rows(response) == [lead_row(wanted)]


@pytest.mark.parametrize(
    "typed", ["Ana.Rivera@Example.com", "rivera", "ana rivera", "Rivera, Ana", "Rivera (Ana)"]
)
def test_search_finds_an_email_in_any_case_or_a_name(
    logged_in, coordinator, team, routed_lead, typed
):
    ana = PersonFactory(first_name="Ana", last_name="Rivera", email="ana.rivera@example.com")
    wanted = routed_lead(team=team, owner=coordinator, person=ana)
    routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Okafor"))

    assert rows(logged_in(coordinator).post(QUEUE, {"q": typed})) == [lead_row(wanted)]


def test_a_patient_renamed_after_the_inquiry_is_found_under_the_new_name(
    logged_in, coordinator, team, routed_lead
):
    # The queue matches names on the lead's copy of them (apps.leads.models triggers).
    ana = PersonFactory(first_name="Ana", last_name="Rivera")
    lead = routed_lead(team=team, owner=coordinator, person=ana)
    ana.last_name = "Okafor"
    ana.save()
    client = logged_in(coordinator)

    assert rows(client.post(QUEUE, {"q": "okafor, ana"})) == [lead_row(lead)]
    assert rows(client.post(QUEUE, {"q": "rivera"})) == []


def test_a_search_is_posted_and_never_put_in_the_url(logged_in, coordinator):
    response = logged_in(coordinator).post(QUEUE, {"q": "Rivera", "urgency": "urgent"})
    assert response.status_code == 200
    assert "Rivera" not in response.get("Location", "")


def test_filters_without_a_search_redirect_to_a_bookmarkable_url(logged_in, coordinator):
    response = logged_in(coordinator).post(QUEUE, {"urgency": "urgent", "q": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?urgency=urgent"


def test_htmx_gets_the_list_fragment_only(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(team=team, owner=coordinator)
    response = logged_in(coordinator).post(QUEUE, {}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="queue-list"')
    assert "<html" not in html
    assert lead_row(lead) in rows(response)


def test_the_list_polls_itself_well_within_15_seconds(logged_in, coordinator):
    html = logged_in(coordinator).get(QUEUE).content.decode()
    queue_list = html[html.index('<section id="queue-list"') :]
    assert re.search(r'hx-trigger="every (\d+)s', queue_list).group(1) in {"5", "10"}


def test_paging_walks_the_whole_queue_once_in_order_without_counting(
    logged_in, coordinator, team, routed_lead, django_assert_max_num_queries
):
    leads = [routed_lead(team=team, owner=coordinator, due_in=minutes) for minutes in range(-6, 6)]
    leads += [routed_lead(team=team, due_in=7, first_response_at=timezone.now()) for _ in range(3)]
    client = logged_in(coordinator)
    seen = all_pages(client, size=5)

    assert seen == [lead_row(lead) for lead in leads]
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE, {"size": 5})
    assert not any(
        "COUNT(" in query["sql"].upper() and "leads_lead" in query["sql"]
        for query in queries.captured_queries
    )


def test_a_cursor_that_is_not_one_shows_the_first_page(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(team=team, owner=coordinator)
    response = logged_in(coordinator).get(QUEUE, {"after": "not-a-cursor!"})
    assert rows(response) == [lead_row(lead)]


def test_cursor_round_trips():
    cursor = QueueCursor(1, timezone.now().replace(microsecond=0), 0, 42)
    assert QueueCursor.decode(cursor.encode()) == cursor
    assert QueueCursor.decode(QueueCursor(1, None, 0, 7).encode()) == QueueCursor(1, None, 0, 7)


def test_manager_sees_unclaimed_leads_of_every_team(
    logged_in, manager, team, other_team, routed_lead
):
    leads = [routed_lead(team=team), routed_lead(team=other_team)]
    shown = rows(logged_in(manager).get(QUEUE))
    assert shown == [lead_row(lead) for lead in leads]


def test_liaison_without_a_team_sees_only_leads_they_own(logged_in, team, routed_lead):
    liaison = UserFactory(username="lee", roles=[Role.LIAISON])
    own = routed_lead(team=team, owner=liaison)
    routed_lead(team=team, referral_source=ReferralSourceFactory(owning_liaison=liaison))

    response = logged_in(liaison).get(QUEUE)

    assert rows(response) == [lead_row(own)]
    assert 'value="unassigned"' not in response.content.decode()


def _fill_queue(*, team, coordinator, routed_lead, leads: int, tasks: int):
    made = [
        routed_lead(
            team=team,
            owner=coordinator if n % 2 else None,
            due_in=n - leads // 2,
            first_response_at=timezone.now() if n % 5 == 0 else None,
            service_line=ServiceLineFactory(slug=f"line-{n % 3}"),
            location=LocationFactory(slug=f"site-{n % 2}"),
        )
        for n in range(leads)
    ]
    for n in range(tasks):
        task(made[n], coordinator, due_in=n)


# The queue page's query budget: session, user, role groups, team ids, the merged page,
# the leads of the page, the newest waiting lead (new-lead notice), the service line and
# location filter lists (stages come from the process's cache), the safety banner's
# flags, the alert badge of the top bar, the access log entry, the saved views of the
# picker and the nurture tracks of the bulk bar.
QUEUE_PAGE_QUERIES = 14
# The polled fragment: no filter lists, no top bar; the safety banner comes with it.
QUEUE_FRAGMENT_QUERIES = 9


@pytest.mark.parametrize(("leads", "tasks", "size"), [(3, 1, 50), (40, 6, 200)])
def test_queue_page_runs_a_fixed_number_of_queries(
    logged_in, coordinator, team, routed_lead, django_assert_num_queries, leads, tasks, size
):
    _fill_queue(
        team=team, coordinator=coordinator, routed_lead=routed_lead, leads=leads, tasks=tasks
    )
    client = logged_in(coordinator)

    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = client.get(QUEUE, {"size": size})
    assert len(rows(response)) == leads + tasks

    with django_assert_num_queries(QUEUE_FRAGMENT_QUERIES):
        client.post(QUEUE, {"size": size}, HTTP_HX_REQUEST="true")


def test_another_team_member_is_still_scoped_to_their_own_teams(
    logged_in, other_team, routed_lead, team
):
    cardio = UserFactory(username="casey", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=other_team, user=cardio)
    theirs = routed_lead(team=other_team)
    routed_lead(team=team)

    assert rows(logged_in(cardio).get(QUEUE)) == [lead_row(theirs)]


def test_a_bad_filter_value_drops_that_filter_only(logged_in, coordinator, team, routed_lead):
    urgent = routed_lead(team=team, owner=coordinator, urgency=Urgency.URGENT)
    routed_lead(team=team, owner=coordinator, urgency=Urgency.ROUTINE)
    response = logged_in(coordinator).get(QUEUE, {"scope": "everyone", "urgency": "urgent"})
    assert rows(response) == [lead_row(urgent)]


def test_a_search_typed_into_the_url_is_ignored(logged_in, coordinator, team, routed_lead):
    leads = [
        routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name=name))
        for name in ("Rivera", "Okafor")
    ]
    shown = rows(logged_in(coordinator).get(QUEUE, {"q": "Rivera"}))
    assert shown == [lead_row(lead) for lead in leads]


def test_paging_through_leads_and_tasks_with_equal_due_times_loses_nothing(
    logged_in, coordinator, team, routed_lead
):
    due = timezone.now() + dt.timedelta(minutes=30)
    leads = [routed_lead(team=team, owner=coordinator, due_in=30) for _ in range(4)]
    for lead in leads:
        lead.sla_due_at = due
        lead.save(update_fields=["sla_due_at"])
    answered = routed_lead(team=team, owner=coordinator, first_response_at=timezone.now())
    for _ in range(3):
        ActivityFactory(lead=answered, kind="task", assignee=coordinator, due_at=due)
    no_clock = routed_lead(team=team, owner=coordinator, first_response_at=timezone.now())
    no_clock.sla_due_at = None
    no_clock.save(update_fields=["sla_due_at"])
    client = logged_in(coordinator)
    everything = rows(client.post(QUEUE, {"size": 50}, HTTP_HX_REQUEST="true"))

    seen = all_pages(client, size=5)

    assert len(everything) == 9
    assert seen == everything


def test_a_new_urgent_lead_is_on_top_of_old_overdue_follow_ups(
    logged_in, coordinator, team, routed_lead
):
    """The demo's buried urgent lead: 15 minutes to answer it, at row 24 of 50 below
    follow-ups overdue by weeks."""
    answered = routed_lead(team=team, owner=coordinator, first_response_at=timezone.now())
    old_chores = [task(answered, coordinator, due_in=-days * 24 * 60) for days in range(30, 8, -1)]
    routine_breached = routed_lead(team=team, owner=coordinator, due_in=-60)
    routine = routed_lead(team=team, due_in=240)
    urgent = routed_lead(team=team, urgency=Urgency.URGENT, due_in=15)
    callback_today = task(answered, coordinator, due_in=30, details={"task_type": "callback"})

    shown = rows(logged_in(coordinator).get(QUEUE))

    assert shown[0] == lead_row(urgent)
    assert shown[1:4] == [
        lead_row(routine_breached),
        f"task-{callback_today.pk}",
        lead_row(routine),
    ]
    assert shown[4:-1] == [f"task-{chore.pk}" for chore in old_chores]
    assert shown[-1] == lead_row(answered)


def test_paging_crosses_every_section_once_in_order(logged_in, coordinator, team, routed_lead):
    answered = routed_lead(team=team, owner=coordinator, first_response_at=timezone.now())
    for days in (3, 2):
        task(answered, coordinator, due_in=-days * 24 * 60)
    for due_in in (5, 50):
        routed_lead(team=team, owner=coordinator, urgency=Urgency.URGENT, due_in=due_in)
        routed_lead(team=team, owner=coordinator, due_in=due_in + 1)
    task(answered, coordinator, due_in=20)
    client = logged_in(coordinator)
    everything = rows(client.post(QUEUE, {"size": 50}, HTTP_HX_REQUEST="true"))

    seen = all_pages(client, size=5)

    assert len(everything) == 8
    assert seen == everything


def test_answered_leads_of_every_working_stage_come_in_one_due_time_order(
    logged_in, coordinator, team, routed_lead
):
    # The answered section is read a stage at a time (Lead's queue indexes): the stages
    # must still merge into one order, page after page, under a filter too.
    answered = timezone.now()
    slugs = ["qualified", "new", "contacted", "attempting-contact", "qualified", "contacted"]
    leads = [
        routed_lead(
            team=team,
            owner=None if position in (1, 4) else coordinator,  # unclaimed ones merge in too
            due_in=-100 + 10 * position,
            stage=stage_get_by_slug(slug),
            first_response_at=answered,
            urgency=Urgency.URGENT,
        )
        for position, slug in enumerate(slugs)
    ]
    routed_lead(
        team=team,
        owner=coordinator,
        due_in=-95,
        stage=stage_get_by_slug("scheduled"),
        first_response_at=answered,
        urgency=Urgency.URGENT,
    )
    client = logged_in(coordinator)
    seen = all_pages(client, size=2, urgency="urgent")

    assert seen == [lead_row(lead) for lead in leads]


def test_search_finds_a_lead_by_its_caregiver(logged_in, coordinator, team, routed_lead):
    daughter = PersonFactory(first_name="Ana", last_name="Rivera")
    wanted = routed_lead(team=team, owner=coordinator, caregiver=daughter)
    routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Okafor"))

    assert rows(logged_in(coordinator).post(QUEUE, {"q": "Rivera, Ana"})) == [lead_row(wanted)]


def test_leads_the_queue_would_not_list_leave_room_for_those_it_would(
    logged_in, coordinator, colleague, team, routed_lead, monkeypatch
):
    # The search looks only among the leads the queue lists (scope, filters, working
    # stages): a colleague's or a scheduled Rivera cannot fill its limit.
    monkeypatch.setattr("apps.queue.selectors.queue.SEARCH_LIMIT", 2)
    scheduled = stage_get_by_slug("scheduled")
    for where in ({"owner": colleague}, {"owner": coordinator, "stage": scheduled}) * 2:
        routed_lead(team=team, person=PersonFactory(last_name="Rivera"), **where)
    mine = routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Rivera"))

    page = logged_in(coordinator).post(QUEUE, {"q": "rivera"}, HTTP_HX_REQUEST="true")

    assert rows(page) == [lead_row(mine)]
    assert "only some of them are here" not in page.content.decode()


def test_a_search_shows_my_task_on_a_matching_lead_whoever_holds_it(
    logged_in, coordinator, colleague, team, other_team, routed_lead
):
    # As the queue does without a search: my tasks show wherever their lead is.
    elsewhere = routed_lead(
        team=other_team, owner=colleague, person=PersonFactory(last_name="Rivera")
    )
    callback = task(elsewhere, coordinator, due_in=10)
    client = logged_in(coordinator)

    assert f"task-{callback.pk}" in rows(client.post(QUEUE, {}, HTTP_HX_REQUEST="true"))
    found = rows(client.post(QUEUE, {"q": "rivera"}, HTTP_HX_REQUEST="true"))
    assert found == [f"task-{callback.pk}"]
    assert rows(client.post(QUEUE, {"q": "okafor"}, HTTP_HX_REQUEST="true")) == []


def test_a_search_matching_more_leads_than_listed_says_so(
    logged_in, coordinator, team, routed_lead, monkeypatch
):
    monkeypatch.setattr("apps.queue.selectors.queue.SEARCH_LIMIT", 2)
    for _ in range(3):
        routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Rivera"))
    routed_lead(team=team, owner=coordinator, person=PersonFactory(last_name="Okafor"))
    client = logged_in(coordinator)

    vague = client.post(QUEUE, {"q": "rivera"}).content.decode()
    narrow = client.post(QUEUE, {"q": "okafor"}).content.decode()

    assert "only some of them are here" in vague
    assert (
        "Add a first name to narrow it (&ldquo;Rivera, Ana&rdquo; or &ldquo;Ana Rivera&rdquo;)."
        in vague
    )
    assert len(re.findall(r'<tr id="queue-lead-', vague)) == 2
    assert "only some of them are here" not in narrow
