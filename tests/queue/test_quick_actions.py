import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.leads.models import Activity
from apps.pipeline.selectors import stage_get_by_slug
from apps.routing.models import RoutingWait
from apps.servicelines.models import QualificationQuestion
from tests.factories import (
    ActivityFactory,
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    ServiceLineFactory,
)
from tests.routing.factories import waiting_for_anyone

pytestmark = pytest.mark.django_db


def url(name, lead, *args):
    return reverse(f"queue:{name}", args=[lead.pk, *args])


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def lead(team, coordinator, routed_lead):
    return routed_lead(team=team, owner=coordinator, due_in=45)


@pytest.fixture
def client_(logged_in, coordinator):
    return logged_in(coordinator)


# --- Calls, messages, notes, tasks ------------------------------------------------------


def test_a_call_that_reached_the_person_stops_the_response_clock(client_, lead, coordinator):
    response = client_.post(
        url("lead_call", lead),
        {
            "call-direction": "outbound",
            "call-outcome": "reached",
            "call-duration_minutes": "2",
            "call-note": "Talked about the knee consult.",
        },
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    call = Activity.objects.get(lead=lead, kind="call")
    assert lead.first_response_at == call.occurred_at
    assert (call.author, call.outcome, call.duration_seconds) == (coordinator, "reached", 120)


@pytest.mark.parametrize("outcome", ["no_answer", "left_voicemail", "busy", "wrong_number"])
def test_a_call_that_did_not_reach_the_person_leaves_the_clock_running(client_, lead, outcome):
    client_.post(url("lead_call", lead), {"call-direction": "outbound", "call-outcome": outcome})

    lead.refresh_from_db()
    assert lead.first_response_at is None
    assert Activity.objects.filter(lead=lead, kind="call", outcome=outcome).count() == 1
    page = client_.get(url("lead", lead))
    assert 'class="badge ok">Answered<' not in html_of(page)


def test_taking_their_call_stops_the_clock(client_, lead):
    client_.post(url("lead_call", lead), {"call-direction": "inbound", "call-outcome": "reached"})
    lead.refresh_from_db()
    assert lead.first_response_at is not None


def test_a_call_without_an_outcome_is_refused_field_by_field(client_, lead):
    response = client_.post(
        url("lead_call", lead), {"call-direction": "outbound", "call-duration_minutes": "-3"}
    )

    html = html_of(response)
    assert response.status_code == 200
    assert 'id="id_call-outcome-error"' in html and "Choose how the call went." in html
    assert 'id="id_call-duration_minutes-error"' in html
    assert 'aria-invalid="true"' in html
    assert not Activity.objects.filter(lead=lead, kind="call").exists()


def test_a_call_in_the_future_gets_the_services_error_on_its_field(client_, lead):
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    response = client_.post(
        url("lead_call", lead),
        {
            "call-direction": "outbound",
            "call-outcome": "reached",
            "call-occurred_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    html = html_of(response)
    assert 'id="id_call-occurred_at-error"' in html
    assert "An activity cannot happen in the future." in html
    assert not Activity.objects.filter(lead=lead, kind="call").exists()


@pytest.mark.parametrize("kind", ["email", "sms"])
def test_logging_an_email_or_sms_sent_stops_the_clock(client_, lead, kind):
    ConsentFactory(person=lead.person, channel=kind)
    client_.post(url("lead_message", lead), {"message-kind": kind, "message-note": "Sent hours."})
    lead.refresh_from_db()
    message = Activity.objects.get(lead=lead, kind=kind)
    assert (message.direction, message.outcome) == ("outbound", "sent")
    assert lead.first_response_at == message.occurred_at


def test_a_note_needs_words(client_, lead):
    response = client_.post(url("lead_note", lead), {"note-body": "  "})
    assert "Write the note first." in html_of(response)
    assert not Activity.objects.filter(lead=lead, kind="note").exists()


def test_a_note_is_added_and_the_htmx_answer_is_the_page_body(client_, lead):
    response = client_.post(
        url("lead_note", lead), {"note-body": "Prefers mornings."}, HTTP_HX_REQUEST="true"
    )
    html = html_of(response)
    assert html.lstrip().startswith('<div id="lead-body"')
    assert "Prefers mornings." in html and "Note added." in html
    lead.refresh_from_db()
    assert lead.first_response_at is None  # a note is no contact attempt


def test_a_callback_needs_a_due_time(client_, lead):
    response = client_.post(url("lead_task", lead), {"task-task_type": "callback"})
    assert "Give the due date and time." in html_of(response)
    assert not Activity.objects.filter(lead=lead, kind="task").exists()


def test_a_callback_is_set_for_me_and_shows_in_my_queue(client_, lead, coordinator):
    due = timezone.localtime() + dt.timedelta(hours=1)
    client_.post(
        url("lead_task", lead),
        {"task-task_type": "callback", "task-due_at": due.strftime("%Y-%m-%dT%H:%M")},
    )
    task = Activity.objects.get(lead=lead, kind="task")
    assert (task.assignee, task.details["task_type"]) == (coordinator, "callback")
    assert f'id="queue-task-{task.pk}"' in html_of(client_.get(reverse("queue:index")))


def test_a_task_marked_done_leaves_the_queue(client_, lead, coordinator):
    task = ActivityFactory(
        lead=lead,
        kind="task",
        assignee=coordinator,
        due_at=timezone.now() + dt.timedelta(minutes=5),
    )
    client_.post(url("lead_task_done", lead, task.pk))
    task.refresh_from_db()
    assert task.completed_at is not None
    assert f'id="queue-task-{task.pk}"' not in html_of(client_.get(reverse("queue:index")))


# --- Claim and reassign ---------------------------------------------------------------------


def test_claiming_an_unowned_lead_makes_it_mine(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(team=team)
    logged_in(coordinator).post(url("lead_claim", lead))
    lead.refresh_from_db()
    assert (lead.owner, lead.team) == (coordinator, team)
    assert Activity.objects.filter(lead=lead, kind="assignment", author=coordinator).exists()


def test_a_lead_a_colleague_claimed_first_stays_theirs(
    logged_in, coordinator, colleague, team, routed_lead
):
    lead = routed_lead(team=team)
    client = logged_in(coordinator)
    page = client.get(url("lead", lead))
    assert 'id="claim-button"' in html_of(page)
    lead.owner = colleague
    lead.save(update_fields=["owner"])

    response = client.post(url("lead_claim", lead), HTTP_HX_REQUEST="true")

    assert "Blake Reed has already claimed this lead." in html_of(response)
    lead.refresh_from_db()
    assert lead.owner == colleague


def test_coordinators_cannot_reassign(client_, lead, colleague):
    response = client_.post(url("lead_reassign", lead), {"reassign-owner": colleague.pk})
    assert response.status_code == 403


def test_a_manager_reassigns_with_a_reason(logged_in, manager, lead, colleague, team):
    client = logged_in(manager)
    response = client.post(url("lead_reassign", lead), {"reassign-team": team.pk})
    assert "Say why the lead is reassigned." in html_of(response)

    client.post(
        url("lead_reassign", lead),
        {
            "reassign-team": team.pk,
            "reassign-owner": colleague.pk,
            "reassign-reason": "Speaks Spanish",
        },
    )
    lead.refresh_from_db()
    assert lead.owner == colleague


def test_a_manager_cannot_give_a_lead_to_someone_outside_the_team(
    logged_in, manager, lead, other_team, colleague
):
    response = logged_in(manager).post(
        url("lead_reassign", lead),
        {"reassign-team": other_team.pk, "reassign-owner": colleague.pk, "reassign-reason": "x"},
    )
    assert "Blake Reed is not a member of Cardio intake." in html_of(response)


def test_a_reassignment_from_the_lead_page_has_the_apis_side_effects(
    logged_in, manager, colleague, team
):
    lead = LeadFactory(team=team, owner=None, routed_at=None)
    waiting_for_anyone(lead=lead, team=team)

    logged_in(manager).post(
        url("lead_reassign", lead),
        {"reassign-team": team.pk, "reassign-owner": colleague.pk, "reassign-reason": "Covering"},
    )

    lead.refresh_from_db()
    assert lead.owner == colleague
    assert lead.routed_at is not None and lead.sla_due_at is not None
    assert not RoutingWait.objects.filter(lead=lead).exists()
    entry = Activity.objects.get(lead=lead, kind="assignment")
    assert (
        entry.body == "Reassigned by hand to Blake Reed in Ortho intake by Morgan Hale. "
        "Reason: Covering"
    )


# --- Stage moves ----------------------------------------------------------------------------


@pytest.fixture
def questions(lead):
    line = lead.service_line
    return [
        QualificationQuestion.objects.create(
            service_line=line, position=1, text="Has imaging been done?", answer_kind="yes_no"
        ),
        QualificationQuestion.objects.create(
            service_line=line, position=2, text="Pain score (0-10)", answer_kind="number"
        ),
        QualificationQuestion.objects.create(
            service_line=line,
            position=3,
            text="Anything else?",
            answer_kind="text",
            is_required=False,
        ),
    ]


def stage_post(client, lead, slug, shown=True, htmx=False, preview=False, **fields):
    stage = stage_get_by_slug(slug)
    data = {"stage-to_stage": stage.pk, **{f"stage-{k}": v for k, v in fields.items()}}
    if shown:
        data["stage-shown_for"] = stage.pk
    if preview:
        data["preview"] = "1"  # what the stage select's hx-vals adds
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("lead_stage", lead), data, **extra)


@pytest.mark.parametrize(
    ("slug", "asked"),
    [
        ("qualified", ["Has imaging been done?", "Pain score (0-10)", "Anything else?"]),
        ("scheduled", ["Appointment date", "Appointment time", "Appointment location"]),
        ("disqualified", ["Why is the lead lost?"]),
        ("referred-elsewhere", ["Why is the lead lost?"]),
        ("not-ready", ["Contact again on"]),
    ],
)
def test_choosing_a_stage_asks_what_it_needs_before_moving(client_, lead, questions, slug, asked):
    response = stage_post(client_, lead, slug, shown=False, preview=True, htmx=True)

    html = html_of(response)
    assert html.lstrip().startswith('<form id="stage-form"')
    for question in asked:
        assert question in html
    assert "field-error" not in html
    lead.refresh_from_db()
    assert lead.stage.slug == "new"


def test_without_js_the_first_submit_shows_the_questions_without_moving(client_, lead, questions):
    response = stage_post(client_, lead, "qualified", shown=False)
    html = html_of(response)
    assert "Has imaging been done?" in html
    assert "field-error" not in html
    lead.refresh_from_db()
    assert lead.stage.slug == "new"


def test_a_stage_that_asks_nothing_moves_at_once(client_, lead):
    response = stage_post(client_, lead, "contacted", shown=False)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage.slug == "contacted"


def test_qualifying_without_the_answers_shows_an_error_on_each_required_question(
    client_, lead, questions
):
    response = stage_post(client_, lead, "qualified", **{f"answer_{questions[2].pk}": "n/a"})
    html = html_of(response)
    for question in questions[:2]:
        assert f'id="id_stage-answer_{question.pk}-error"' in html
    assert f'id="id_stage-answer_{questions[2].pk}-error"' not in html
    assert "Answer this question to qualify the lead." in html
    lead.refresh_from_db()
    assert lead.stage.slug == "new"


def test_qualifying_stores_the_answers_keyed_by_question(client_, lead, questions):
    stage_post(
        client_,
        lead,
        "qualified",
        **{f"answer_{questions[0].pk}": "yes", f"answer_{questions[1].pk}": "7"},
    )
    lead.refresh_from_db()
    assert lead.stage.slug == "qualified"
    assert lead.qualification_answers == {str(questions[0].pk): "yes", str(questions[1].pk): 7}


def test_scheduling_takes_the_appointment_in_the_locations_time_zone(client_, lead):
    denver = LocationFactory(slug="denver", name="Denver Clinic", time_zone="America/Denver")
    day = timezone.localdate() + dt.timedelta(days=3)
    stage_post(
        client_,
        lead,
        "scheduled",
        appointment_date=day.isoformat(),
        appointment_time="09:30",
        appointment_location=denver.pk,
    )
    lead.refresh_from_db()
    assert lead.stage.slug == "scheduled"
    assert lead.appointment_location == denver
    assert lead.appointment_at == dt.datetime.combine(
        day, dt.time(9, 30), tzinfo=zoneinfo.ZoneInfo("America/Denver")
    )


def test_scheduling_without_a_time_is_refused(client_, lead):
    response = stage_post(client_, lead, "scheduled", appointment_date="2030-01-02")
    assert "Give the appointment time." in html_of(response)
    lead.refresh_from_db()
    assert lead.stage.slug == "new"


@pytest.mark.parametrize("slug", ["disqualified", "referred-elsewhere"])
def test_losing_a_lead_needs_a_reason(client_, lead, slug):
    response = stage_post(client_, lead, slug)
    assert "Choose why the lead was lost." in html_of(response)

    stage_post(client_, lead, slug, lost_reason="out_of_network", lost_reason_note="Kaiser only")
    lead.refresh_from_db()
    assert (lead.stage.slug, lead.lost_reason) == (slug, "out_of_network")
    assert lead.closed_at is not None


def test_not_ready_needs_a_future_recontact_date(client_, lead):
    response = stage_post(client_, lead, "not-ready", recontact_on=timezone.localdate().isoformat())
    assert "The re-contact date must be in the future." in html_of(response)

    later = timezone.localdate() + dt.timedelta(days=30)
    stage_post(client_, lead, "not-ready", recontact_on=later.isoformat())
    lead.refresh_from_db()
    assert (lead.stage.slug, lead.recontact_on) == ("not-ready", later)


def test_reopening_a_closed_lead_needs_a_reason(client_, lead):
    stage_post(client_, lead, "disqualified", lost_reason="no_response")
    lead.refresh_from_db()
    response = stage_post(client_, lead, "contacted")
    assert "Say why this lead is reopened." in html_of(response)

    stage_post(client_, lead, "contacted", reason="Called back, wants an appointment")
    lead.refresh_from_db()
    assert (lead.stage.slug, lead.closed_at) == ("contacted", None)


def test_a_service_line_without_questions_qualifies_directly(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(
        team=team, owner=coordinator, service_line=ServiceLineFactory(slug="imaging")
    )
    response = stage_post(logged_in(coordinator), lead, "qualified")
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage.slug == "qualified"


@pytest.mark.parametrize(
    ("action", "data", "kind"),
    [
        ("lead_note", {"note-body": "Asked about parking."}, "note"),
        (
            "lead_call",
            {"call-direction": "outbound", "call-outcome": "left_voicemail"},
            "call",
        ),
    ],
)
def test_a_quick_action_sent_twice_with_its_form_token_is_saved_once(
    client_, lead, action, data, kind
):
    page = html_of(client_.get(url("lead", lead)))
    tokens = re.findall(r'name="form_token" value="([^"]+)"', page)
    assert len(set(tokens)) == 4  # call, message, note and task: one token each
    data = {**data, "form_token": tokens[0]}

    client_.post(url(action, lead), data, HTTP_HX_REQUEST="true")
    again = client_.post(url(action, lead), data, HTTP_HX_REQUEST="true")

    assert "Already saved." in html_of(again)
    assert Activity.objects.filter(lead=lead, kind=kind).count() == 1


def test_an_sms_to_someone_who_never_agreed_to_texts_warns_and_saves_nothing(client_, lead):
    ConsentFactory(person=lead.person, channel="email")  # email yes, texts never asked
    page = html_of(client_.get(url("lead", lead)))
    assert 'id="sms-consent-warning"' in page and "No SMS consent" in page

    response = client_.post(url("lead_message", lead), {"message-kind": "sms"})

    assert "has not agreed to texts" in html_of(response)
    assert not Activity.objects.filter(lead=lead, kind="sms").exists()
    lead.refresh_from_db()
    assert lead.first_response_at is None


def test_an_sms_already_sent_without_consent_is_logged_when_confirmed(client_, lead):
    ConsentFactory(person=lead.person, channel="sms", status="withdrawn")
    client_.post(
        url("lead_message", lead),
        {"message-kind": "sms", "message-sent_without_consent": "on"},
    )
    assert Activity.objects.filter(lead=lead, kind="sms").count() == 1


def test_no_sms_warning_for_someone_who_agreed_to_texts(client_, lead):
    ConsentFactory(person=lead.person, channel="sms")
    assert 'id="sms-consent-warning"' not in html_of(client_.get(url("lead", lead)))
