"""Delivering steps: what is sent, the timeline, the next step, and exactly once even when
a task runs twice, two workers claim at once, or a worker dies mid-send."""

import base64
import datetime as dt
import json
import threading
import uuid

import pytest
import redis
from django.core import mail
from django.db import connection, transaction

from apps.leads.choices import ActivityKind, Direction
from apps.nurture import delivery, send_queue
from apps.nurture.choices import EnrollmentStatus, SendStatus, StepAction, WaitUnit
from apps.nurture.models import NurtureEnrollment, NurtureSend
from apps.nurture.services import nurture_changes_sweep
from apps.nurture.tasks import nurture_send_deliver, nurture_sweep
from tests.celery_processes import broker_purge
from tests.nurture.conftest import T0, step

pytestmark = pytest.mark.django_db

PHI = ("Acme Health Plan", "gastric sleeve revision")


@pytest.fixture
def enroll(make_track, make_lead, to_stage):
    """Put a new lead on a Not ready track with `steps`; returns its enrollment."""

    def make(steps=None, **lead_fields):
        if not hasattr(make, "track"):
            make.track = make_track(steps=steps)
        lead = to_stage(make_lead(**lead_fields), "not-ready")
        nurture_changes_sweep()
        return NurtureEnrollment.objects.get(lead=lead)

    return make


def first_send(enrollment) -> NurtureSend:
    return enrollment.sends.order_by("step__position").first()


def test_due_email_is_sent_with_its_merge_fields_and_nothing_else(enroll):
    enrollment = enroll()
    (send_id,) = send_queue.nurture_sends_queue()

    assert delivery.nurture_send_deliver(send_id=send_id) == "sent"

    (message,) = mail.outbox
    assert message.subject == "A note from Lakeside Campus"
    assert message.to == [enrollment.lead.person.email]
    assert "Hi Rosalind, Dana Reyes here about Bariatrics." in message.body
    assert message.reply_to == ["coordinator@hospital.test"]
    for detail in PHI:
        assert detail not in message.subject + message.body + message.alternatives[0][0]


def test_sent_message_is_on_the_timeline_as_automatic_and_keeps_the_response_clock_running(enroll):
    enrollment = enroll()
    delivery.nurture_send_deliver(send_id=first_send(enrollment).pk)

    send = first_send(enrollment)
    activity = send.activity
    assert (activity.kind, activity.direction, activity.author) == (
        ActivityKind.EMAIL,
        Direction.OUTBOUND,
        None,
    )
    assert activity.is_automated
    assert activity.details["nurture_send_id"] == send.pk
    enrollment.lead.refresh_from_db()
    assert enrollment.lead.first_response_at is None


def test_send_task_run_twice_sends_once(enroll):
    enrollment = enroll()
    send = first_send(enrollment)

    assert nurture_send_deliver(send.pk) == "sent"
    assert nurture_send_deliver(send.pk) == "not_claimed"

    assert len(mail.outbox) == 1
    assert enrollment.lead.activities.filter(kind=ActivityKind.EMAIL).count() == 1
    send.refresh_from_db()
    assert (send.status, send.attempts, send.sent_at) == (SendStatus.SENT, 1, T0)


def test_send_is_not_claimed_before_it_is_due(enroll):
    enrollment = enroll(steps=[step(wait=1)])

    assert delivery.nurture_send_claim(send_id=first_send(enrollment).pk) is None


def test_next_step_is_scheduled_after_its_wait_from_the_send(enroll, clock):
    enrollment = enroll(steps=[step(), step(StepAction.SMS, wait=2, unit=WaitUnit.BUSINESS_DAYS)])
    delivery.nurture_send_deliver(send_id=first_send(enrollment).pk)

    sms_send = enrollment.sends.get(step__position=2)
    # Tuesday 10:00 Chicago + 2 business days = Thursday 10:00 (15:00 UTC).
    assert (sms_send.status, sms_send.due_at) == (SendStatus.PENDING, T0 + dt.timedelta(days=2))


def test_last_step_completes_the_enrollment(enroll, sms_outbox):
    enrollment = enroll(steps=[step(StepAction.SMS)])

    delivery.nurture_send_deliver(send_id=first_send(enrollment).pk)

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    (text,) = sms_outbox
    assert text["to"] == "+13125550142"
    assert text["body"].endswith("Reply STOP to opt out.")


def test_call_task_goes_to_the_owner_due_now(enroll, coordinator):
    enrollment = enroll(steps=[step(StepAction.CALL_TASK, body="Call {{ first_name }} back.")])

    delivery.nurture_send_deliver(send_id=first_send(enrollment).pk)

    task = enrollment.lead.activities.get(kind=ActivityKind.TASK)
    assert (task.assignee, task.due_at, task.body) == (coordinator, T0, "Call Rosalind back.")
    assert mail.outbox == []


def test_call_task_for_a_lead_nobody_owns_goes_to_the_team_lead(enroll, team):
    enrollment = enroll(steps=[step(StepAction.CALL_TASK)], owner=None)

    delivery.nurture_send_deliver(send_id=first_send(enrollment).pk)

    assert enrollment.lead.activities.get(kind=ActivityKind.TASK).assignee == team.team_lead


def test_send_of_an_enrollment_that_ended_is_cancelled_not_sent(enroll, to_stage, clock):
    enrollment = enroll()
    clock.shift(60)
    to_stage(enrollment.lead, "scheduled")

    assert delivery.nurture_send_deliver(send_id=first_send(enrollment).pk) == "exited"

    assert mail.outbox == []
    assert first_send(enrollment).status == SendStatus.CANCELLED


def test_sweep_keeps_at_most_the_configured_number_queued(enroll, settings, clock):
    settings.NURTURE_MAX_QUEUED = 2
    settings.NURTURE_REQUEUE_SECONDS = 300
    for _ in range(3):
        enroll()

    assert len(send_queue.nurture_sends_queue()) == 2
    assert send_queue.nurture_sends_queue() == []  # two still out with the broker

    clock.shift(301)
    # A long backlog: they are still in line, nothing is queued twice.
    assert send_queue.nurture_sends_queue(requeue_lost=False) == []
    # The broker's queue is empty, so their tasks were lost: queued again, with the third.
    assert len(send_queue.nurture_sends_queue(requeue_lost=True)) == 2


def test_beat_sweep_queues_one_task_per_due_send_with_its_id_only(enroll, settings):
    broker_purge()
    enrollment = enroll()

    assert nurture_sweep() == {"entered": 0, "exited": 0, "queued": 1}

    (raw,) = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("nurture", 0, -1)
    message = json.loads(raw)
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert message["headers"]["task"] == "apps.nurture.tasks.nurture_send_deliver"
    assert (args, kwargs) == ([first_send(enrollment).pk], {})
    broker_purge()


def test_delivery_queue_is_empty_only_when_the_broker_holds_no_delivery(enroll):
    from apps.nurture.tasks import _delivery_queue_is_empty

    broker_purge()
    assert _delivery_queue_is_empty()

    nurture_send_deliver.apply_async(args=[first_send(enroll()).pk])

    assert not _delivery_queue_is_empty()
    broker_purge()


# --- A worker that died mid-send ----------------------------------------------------


def abandon(send: NurtureSend, *, minutes_ago: float) -> None:
    """Leave the send as a worker killed mid-send would: sending, under its claim."""
    NurtureSend.objects.filter(pk=send.pk).update(
        status=SendStatus.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=T0 - dt.timedelta(minutes=minutes_ago),
        attempts=1,
    )


def test_claim_of_a_dead_worker_is_taken_over_after_the_lease(enroll, settings):
    settings.NURTURE_SEND_LEASE_SECONDS = 300
    send = first_send(enroll())
    abandon(send, minutes_ago=6)

    assert send_queue.nurture_sends_queue() == [send.pk]
    assert delivery.nurture_send_deliver(send_id=send.pk) == "sent"
    send.refresh_from_db()
    assert (send.status, send.attempts) == (SendStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_recent_claim_is_left_to_its_worker(enroll, settings):
    settings.NURTURE_SEND_LEASE_SECONDS = 300
    send = first_send(enroll())
    abandon(send, minutes_ago=1)

    assert send_queue.nurture_sends_queue() == []
    assert delivery.nurture_send_deliver(send_id=send.pk) == "not_claimed"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_old_claim_whose_worker_still_holds_the_row_is_not_taken_over(enroll, settings):
    """A live worker in the middle of sending holds the row lock: even past the lease,
    nobody else may claim it (the lock, not the clock, says the worker is alive)."""
    settings.NURTURE_SEND_LEASE_SECONDS = 300
    send = first_send(enroll())
    abandon(send, minutes_ago=10)
    locked, release = threading.Event(), threading.Event()

    def worker_mid_send():
        with transaction.atomic():
            NurtureSend.objects.select_for_update().get(pk=send.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=worker_mid_send)
    thread.start()
    try:
        assert locked.wait(10)
        assert send_queue.nurture_sends_queue() == []
        assert delivery.nurture_send_claim(send_id=send.pk) is None
    finally:
        release.set()
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_get_one_claim(enroll):
    send = first_send(enroll())
    barrier = threading.Barrier(2)
    tokens = []

    def claim():
        barrier.wait()
        tokens.append(delivery.nurture_send_claim(send_id=send.pk))
        connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len([token for token in tokens if token]) == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_task_delivered_to_two_workers_at_once_sends_once(enroll):
    send = first_send(enroll())
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver():
        barrier.wait()
        outcomes.append(nurture_send_deliver(send.pk))
        connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["not_claimed", "sent"]
    assert len(mail.outbox) == 1
    assert (
        NurtureSend.objects.get(pk=send.pk)
        .activity.lead.activities.filter(kind=ActivityKind.EMAIL)
        .count()
        == 1
    )
