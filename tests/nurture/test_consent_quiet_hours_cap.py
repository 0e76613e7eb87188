"""Nothing goes out without consent for the channel and the track's purpose, in the
person's quiet hours, or beyond the weekly cap: the step is skipped or waits."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from apps.leads.choices import ActivityKind
from apps.nurture import delivery, send_queue
from apps.nurture.choices import SendStatus, SkipReason, StepAction
from apps.nurture.models import NurtureEnrollment, NurtureSend
from apps.nurture.services import nurture_changes_sweep, nurture_enroll
from apps.people.models import ConsentPurpose
from apps.people.services import consent_withdraw
from tests.factories import PersonFactory
from tests.nurture.conftest import T0, step

pytestmark = pytest.mark.django_db

CARE, MARKETING = ConsentPurpose.CARE_COORDINATION, ConsentPurpose.MARKETING


def enroll_one(make_track, make_lead, to_stage, *, steps, purpose=CARE, consents=None, **lead):
    make_track(steps=steps, purpose=purpose)
    lead = to_stage(make_lead(consents=consents, **lead), "not-ready")
    nurture_changes_sweep()
    return NurtureEnrollment.objects.get(lead=lead)


@pytest.mark.parametrize(
    ("purpose", "action", "consents", "status"),
    [
        (CARE, StepAction.EMAIL, [("email", CARE)], SendStatus.SENT),
        (CARE, StepAction.EMAIL, [], SendStatus.SKIPPED),
        (CARE, StepAction.EMAIL, [("sms", CARE), ("phone", CARE)], SendStatus.SKIPPED),
        (MARKETING, StepAction.EMAIL, [("email", CARE)], SendStatus.SKIPPED),
        (MARKETING, StepAction.EMAIL, [("email", MARKETING)], SendStatus.SENT),
        (CARE, StepAction.EMAIL, [("email", MARKETING)], SendStatus.SKIPPED),
        (CARE, StepAction.SMS, [("sms", CARE)], SendStatus.SENT),
        (CARE, StepAction.SMS, [("email", CARE)], SendStatus.SKIPPED),
        (MARKETING, StepAction.SMS, [("sms", CARE)], SendStatus.SKIPPED),
        (MARKETING, StepAction.SMS, [("sms", MARKETING)], SendStatus.SENT),
        (CARE, StepAction.CALL_TASK, [("phone", CARE)], SendStatus.SENT),
        (CARE, StepAction.CALL_TASK, [("email", CARE)], SendStatus.SKIPPED),
    ],
    ids=[
        "care-email-with-email-consent",
        "care-email-without-consent",
        "care-email-with-other-channels-only",
        "marketing-email-with-care-consent-only",
        "marketing-email-with-marketing-consent",
        "care-email-with-marketing-consent-only",
        "care-sms-with-sms-consent",
        "care-sms-with-email-consent-only",
        "marketing-sms-with-care-consent-only",
        "marketing-sms-with-marketing-consent",
        "call-task-with-phone-consent",
        "call-task-without-phone-consent",
    ],
)
def test_consent_per_channel_and_purpose(
    make_track, make_lead, to_stage, sms_outbox, purpose, action, consents, status
):
    enrollment = enroll_one(
        make_track, make_lead, to_stage, steps=[step(action)], purpose=purpose, consents=consents
    )
    send = enrollment.sends.get()

    delivery.nurture_send_deliver(send_id=send.pk)

    send.refresh_from_db()
    assert send.status == status
    went_out = (
        len(mail.outbox)
        + len(sms_outbox)
        + enrollment.lead.activities.filter(kind=ActivityKind.TASK).count()
    )
    assert went_out == (1 if status == SendStatus.SENT else 0)
    if status == SendStatus.SKIPPED:
        assert send.skip_reason == SkipReason.NO_CONSENT


def test_withdrawn_consent_skips_the_step(make_track, make_lead, to_stage):
    enrollment = enroll_one(make_track, make_lead, to_stage, steps=[step()])
    consent_withdraw(
        person=enrollment.lead.person, channel="email", purpose=CARE, method="phone_call"
    )

    delivery.nurture_send_deliver(send_id=enrollment.sends.get().pk)

    assert enrollment.sends.get().status == SendStatus.SKIPPED
    assert mail.outbox == []


def test_skipped_step_moves_on_to_the_next(make_track, make_lead, to_stage, sms_outbox):
    enrollment = enroll_one(
        make_track,
        make_lead,
        to_stage,
        steps=[step(StepAction.SMS), step(StepAction.EMAIL)],
        consents=[("email", CARE)],
    )
    delivery.nurture_send_deliver(send_id=enrollment.sends.get(step__position=1).pk)
    delivery.nurture_send_deliver(send_id=enrollment.sends.get(step__position=2).pk)

    assert [send.status for send in enrollment.sends.order_by("step__position")] == [
        SendStatus.SKIPPED,
        SendStatus.SENT,
    ]
    assert (len(sms_outbox), len(mail.outbox)) == (0, 1)


def test_person_without_email_address_is_skipped(make_track, make_lead, to_stage):
    person = PersonFactory(email="")
    enrollment = enroll_one(make_track, make_lead, to_stage, steps=[step()], person=person)

    delivery.nurture_send_deliver(send_id=enrollment.sends.get().pk)

    assert enrollment.sends.get().skip_reason == SkipReason.NO_ADDRESS


# --- Quiet hours --------------------------------------------------------------------

NINE_PM_CHICAGO = dt.datetime(2025, 6, 10, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
NEXT_8AM_CHICAGO = dt.datetime(2025, 6, 11, 13, 0, tzinfo=dt.UTC)


def test_message_due_in_quiet_hours_waits_until_they_end(make_track, make_lead, to_stage, clock):
    enrollment = enroll_one(make_track, make_lead, to_stage, steps=[step()])
    clock.move_to(NINE_PM_CHICAGO)

    assert send_queue.nurture_sends_queue() == []

    send = enrollment.sends.get()
    assert (send.status, send.due_at, send.hold_reason) == (
        SendStatus.PENDING,
        NEXT_8AM_CHICAGO,
        "quiet_hours",
    )
    clock.move_to(NEXT_8AM_CHICAGO)
    assert send_queue.nurture_sends_queue() == [send.pk]
    assert delivery.nurture_send_deliver(send_id=send.pk) == "sent"


def test_worker_reaching_a_send_in_quiet_hours_puts_it_back(make_track, make_lead, to_stage, clock):
    """The task was queued at 19:59 and reached a worker at 21:00: it waits, unsent."""
    enrollment = enroll_one(make_track, make_lead, to_stage, steps=[step()])
    send = enrollment.sends.get()
    clock.move_to(NINE_PM_CHICAGO)

    assert delivery.nurture_send_deliver(send_id=send.pk) == "held"

    send.refresh_from_db()
    assert (send.status, send.due_at, send.queued_at, send.attempts) == (
        SendStatus.PENDING,
        NEXT_8AM_CHICAGO,
        None,
        0,  # waiting is not a failed attempt
    )
    assert mail.outbox == []


def test_call_task_is_not_held_by_quiet_hours(make_track, make_lead, to_stage, clock):
    enrollment = enroll_one(make_track, make_lead, to_stage, steps=[step(StepAction.CALL_TASK)])
    clock.move_to(NINE_PM_CHICAGO)

    assert delivery.nurture_send_deliver(send_id=enrollment.sends.get().pk) == "sent"


# --- Weekly cap ---------------------------------------------------------------------


@pytest.fixture
def person_with_messages(make_track, make_lead, to_stage, clock):
    """A person sent three messages over the last week by an earlier track."""
    person = PersonFactory(phone="+13125550142")
    earlier = make_track(
        name="Earlier", steps=[step(), step(StepAction.SMS), step()], stage="contacted"
    )
    lead = to_stage(make_lead(person=person), "contacted")
    nurture_changes_sweep()
    enrollment = NurtureEnrollment.objects.get(lead=lead, track=earlier)
    for position, days_ago in ((1, 6), (2, 3), (3, 1)):
        step_row = earlier.steps.get(position=position)
        NurtureSend.objects.update_or_create(
            enrollment=enrollment,
            step=step_row,
            defaults={
                "person": person,
                "channel": step_row.action,
                "status": SendStatus.SENT,
                "due_at": T0,
                "sent_at": T0 - dt.timedelta(days=days_ago),
            },
        )
    return person


def test_message_over_the_weekly_cap_waits_until_the_oldest_is_a_week_old(
    person_with_messages, make_track, make_lead, manager, clock
):
    track = make_track(name="Later", steps=[step()], trigger="manual", stage=None)
    lead = make_lead(person=person_with_messages, consents=[])
    send = nurture_enroll(track=track, lead=lead, actor=manager).sends.get()

    assert send_queue.nurture_sends_queue() == []
    send.refresh_from_db()
    assert (send.due_at, send.hold_reason) == (T0 + dt.timedelta(days=1), "weekly_cap")

    clock.move_to(T0 + dt.timedelta(days=1, seconds=1))
    assert send_queue.nurture_sends_queue() == [send.pk]


def test_weekly_cap_is_checked_again_by_the_worker(
    person_with_messages, make_track, make_lead, manager
):
    track = make_track(name="Later", steps=[step()], trigger="manual", stage=None)
    lead = make_lead(person=person_with_messages, consents=[])
    send = nurture_enroll(track=track, lead=lead, actor=manager).sends.get()

    assert delivery.nurture_send_deliver(send_id=send.pk) == "held"
    assert mail.outbox == []


def test_call_tasks_do_not_count_against_the_cap(
    person_with_messages, make_track, make_lead, manager
):
    track = make_track(
        name="Later", steps=[step(StepAction.CALL_TASK)], trigger="manual", stage=None
    )
    lead = make_lead(person=person_with_messages, consents=[])
    send = nurture_enroll(track=track, lead=lead, actor=manager).sends.get()

    assert delivery.nurture_send_deliver(send_id=send.pk) == "sent"


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_both_pass_the_cap_for_one_person(
    make_track, make_lead, manager, settings
):
    settings.NURTURE_WEEKLY_MESSAGE_CAP = 1
    person = PersonFactory()
    sends = []
    for name in ("First", "Second"):
        track = make_track(name=name, steps=[step()], trigger="manual", stage=None)
        lead = make_lead(person=person, consents=[] if sends else None)
        sends.append(nurture_enroll(track=track, lead=lead, actor=manager).sends.get())
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver(send):
        barrier.wait()
        outcomes.append(delivery.nurture_send_deliver(send_id=send.pk))
        connection.close()

    threads = [threading.Thread(target=deliver, args=[send]) for send in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["held", "sent"]
    assert len(mail.outbox) == 1
