"""activity_log and the response clock: which logged activities are the first response
(apps.leads.first_response), and which entries the service refuses."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.leads.first_response import first_response_filter
from apps.leads.models import Activity
from apps.leads.services import activity_log
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return LeadFactory(created_at=timezone.now() - dt.timedelta(hours=6))


@pytest.fixture
def coordinator(db):
    return UserFactory()


def _minutes_ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


# (kind, direction, outcome, by staff, automated): does it stop the response clock?
CASES = [
    ("call", "outbound", "reached", True, False, True),
    ("call", "inbound", "reached", True, False, True),  # they called and a coordinator took it
    ("email", "outbound", "sent", True, False, True),
    ("email", "outbound", "", True, False, True),  # logged by staff without an outcome
    ("sms", "outbound", "delivered", True, False, True),
    ("call", "outbound", "no_answer", True, False, False),
    ("call", "outbound", "left_voicemail", True, False, False),
    ("call", "outbound", "busy", True, False, False),
    ("call", "outbound", "wrong_number", True, False, False),
    ("call", "inbound", "missed_inbound_call", True, False, False),
    ("email", "outbound", "bounced", True, False, False),
    ("sms", "inbound", "", True, False, False),  # the patient texted us
    ("note", "internal", "", True, False, False),
    ("note", "outbound", "", True, False, False),
    ("meeting", "internal", "", True, False, False),
    ("email", "outbound", "sent", True, True, False),  # an automatic acknowledgement
    ("sms", "outbound", "sent", False, True, False),  # a nurture message
    ("call", "outbound", "reached", False, False, False),  # a system entry, nobody behind it
]


@pytest.mark.parametrize(("kind", "direction", "outcome", "by_staff", "automated", "stops"), CASES)
def test_what_stops_the_response_clock(
    lead, coordinator, kind, direction, outcome, by_staff, automated, stops
):
    attempted_at = _minutes_ago(30)

    activity = activity_log(
        lead=lead,
        kind=kind,
        actor=coordinator if by_staff else None,
        direction=direction,
        outcome=outcome,
        is_automated=automated,
        occurred_at=attempted_at,
    )

    lead.refresh_from_db()
    assert lead.first_response_at == (attempted_at if stops else None)
    # The rule's filter (merging, missed calls, reports) says the same as activity_log.
    assert Activity.objects.filter(first_response_filter(), pk=activity.pk).exists() is stops


def _call(lead, coordinator, *, outcome: str, at: dt.datetime) -> None:
    activity_log(
        lead=lead,
        kind="call",
        actor=coordinator,
        direction="outbound",
        outcome=outcome,
        occurred_at=at,
    )


def test_a_no_answer_call_leaves_the_clock_running_until_someone_is_reached(lead, coordinator):
    _call(lead, coordinator, outcome="no_answer", at=_minutes_ago(50))
    lead.refresh_from_db()
    assert lead.first_response_at is None

    reached_at = _minutes_ago(20)
    _call(lead, coordinator, outcome="reached", at=reached_at)
    lead.refresh_from_db()
    assert lead.first_response_at == reached_at


def test_the_earliest_attempt_wins_even_when_logged_late(lead, coordinator):
    activity_log(
        lead=lead,
        kind="email",
        actor=coordinator,
        direction="outbound",
        occurred_at=_minutes_ago(60),
    )
    earlier = _minutes_ago(200)  # a call made earlier, logged after the email
    _call(lead, coordinator, outcome="reached", at=earlier)
    activity_log(
        lead=lead, kind="sms", actor=coordinator, direction="outbound", occurred_at=_minutes_ago(10)
    )

    lead.refresh_from_db()
    assert lead.first_response_at == earlier
    assert lead.time_to_first_response == earlier - lead.created_at


@pytest.mark.parametrize(
    ("occurred", "field"),
    [
        (lambda lead: timezone.now() + dt.timedelta(hours=1), "occurred_at"),
        (lambda lead: lead.created_at - dt.timedelta(minutes=1), "occurred_at"),
    ],
    ids=["in the future", "before the lead existed"],
)
def test_impossible_times_are_refused_and_nothing_is_saved(lead, coordinator, occurred, field):
    with pytest.raises(ValidationError) as refused:
        activity_log(
            lead=lead,
            kind="call",
            actor=coordinator,
            direction="outbound",
            occurred_at=occurred(lead),
        )

    assert field in refused.value.message_dict
    lead.refresh_from_db()
    assert lead.first_response_at is None
    assert not Activity.objects.filter(lead=lead).exists()


def test_a_clock_skew_of_under_a_minute_is_tolerated(lead, coordinator):
    activity_log(
        lead=lead,
        kind="note",
        actor=coordinator,
        occurred_at=timezone.now() + dt.timedelta(seconds=20),
    )

    assert Activity.objects.filter(lead=lead, kind="note").exists()


@pytest.mark.parametrize("kind", ["stage_change", "inquiry", "assignment"])
def test_entries_with_their_own_services_cannot_be_logged_by_hand(lead, coordinator, kind):
    with pytest.raises(ValidationError) as refused:
        activity_log(lead=lead, kind=kind, actor=coordinator)

    assert "kind" in refused.value.message_dict


def test_a_task_needs_a_due_time_and_keeps_its_assignee(lead, coordinator):
    with pytest.raises(ValidationError) as refused:
        activity_log(lead=lead, kind="task", actor=coordinator, assignee=coordinator)
    due = timezone.now() + dt.timedelta(hours=2)
    task = activity_log(lead=lead, kind="task", actor=coordinator, assignee=coordinator, due_at=due)

    assert "due_at" in refused.value.message_dict
    assert (task.assignee, task.due_at) == (coordinator, due)


def test_an_assignee_is_kept_only_on_tasks(lead, coordinator):
    note = activity_log(lead=lead, kind="note", actor=coordinator, assignee=coordinator)

    assert note.assignee is None
