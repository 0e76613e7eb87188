"""Who enters a track (stage arrivals, unanswered calls, re-contact dates, by hand) and
when a lead leaves it (scheduled, converted, lost, replied, moved on, stopped)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.leads.choices import ActivityKind, Direction, LeadType, Outcome
from apps.leads.models import Lead
from apps.leads.services import activity_log
from apps.nurture.choices import EnrollmentStatus, EntryTrigger, ExitReason, SendStatus
from apps.nurture.models import NurtureEnrollment, NurtureSend
from apps.nurture.services import (
    nurture_changes_sweep,
    nurture_enroll,
    nurture_enrollment_stop,
    nurture_exits_sweep,
    nurture_reengagement_sweep,
)
from tests.factories import ServiceLineFactory
from tests.nurture.conftest import T0

pytestmark = pytest.mark.django_db


def unanswered_call(lead, coordinator, outcome=Outcome.NO_ANSWER):
    return activity_log(
        lead=lead,
        kind=ActivityKind.CALL,
        actor=coordinator,
        direction=Direction.OUTBOUND,
        outcome=outcome,
    )


def enrollments(lead):
    return list(NurtureEnrollment.objects.filter(lead=lead))


@pytest.mark.parametrize(
    ("track_fields", "lead_fields", "moves_to", "enters"),
    [
        ({}, {}, "not-ready", True),
        ({}, {}, "contacted", False),  # not the stage the track names
        ({"lead_type": LeadType.PATIENT}, {"lead_type": LeadType.PATIENT}, "not-ready", True),
        ({"lead_type": LeadType.PATIENT}, {"lead_type": LeadType.EMPLOYER}, "not-ready", False),
        ({"service_line": None}, {}, "not-ready", True),  # every service line
        ({"active": False}, {}, "not-ready", False),
    ],
    ids=[
        "entry-stage",
        "other-stage",
        "lead-type-matches",
        "lead-type-differs",
        "any-service-line",
        "track-switched-off",
    ],
)
def test_stage_entry_rules(
    make_track, make_lead, to_stage, track_fields, lead_fields, moves_to, enters
):
    make_track(**track_fields)
    lead = make_lead(**lead_fields)
    to_stage(lead, moves_to)

    assert nurture_changes_sweep().entered == int(enters)
    assert len(enrollments(lead)) == int(enters)


def test_lead_of_another_service_line_does_not_enter(make_track, make_lead, to_stage):
    make_track()
    lead = make_lead(service_line=ServiceLineFactory(slug="cardiology"))
    to_stage(lead, "not-ready")

    assert nurture_changes_sweep().entered == 0


def test_lead_already_at_the_stage_before_the_track_was_switched_on_does_not_enter(
    make_track, make_lead, to_stage, clock
):
    lead = make_lead()
    to_stage(lead, "not-ready")
    clock.shift(60)
    make_track()

    assert nurture_changes_sweep().entered == 0


@pytest.mark.parametrize(
    ("outcomes", "enters"),
    [
        (["no_answer", "no_answer"], False),
        (["no_answer", "left_voicemail", "busy"], True),
        (["no_answer", "reached", "no_answer"], False),  # a reached call is not unanswered
    ],
)
def test_attempting_contact_track_waits_for_three_unanswered_calls(
    make_track, make_lead, to_stage, coordinator, outcomes, enters
):
    make_track(stage="attempting-contact", entry_min_unanswered_calls=3)
    lead = make_lead()
    to_stage(lead, "attempting-contact")
    for outcome in outcomes:
        unanswered_call(lead, coordinator, outcome=outcome)

    assert nurture_changes_sweep().entered == int(enters)


def test_third_unanswered_call_in_a_later_sweep_enrolls_the_lead(
    make_track, make_lead, to_stage, coordinator
):
    make_track(stage="attempting-contact", entry_min_unanswered_calls=3)
    lead = make_lead()
    to_stage(lead, "attempting-contact")
    unanswered_call(lead, coordinator)
    unanswered_call(lead, coordinator)
    assert nurture_changes_sweep().entered == 0

    unanswered_call(lead, coordinator)

    assert nurture_changes_sweep().entered == 1


def test_sweeping_again_enrolls_once(make_track, make_lead, to_stage):
    make_track()
    lead = make_lead()
    to_stage(lead, "not-ready")

    assert [nurture_changes_sweep().entered for _ in range(3)] == [1, 0, 0]
    (enrollment,) = enrollments(lead)
    assert NurtureSend.objects.filter(enrollment=enrollment).count() == 1


def test_finished_enrollment_is_not_restarted_by_the_same_arrival(make_track, make_lead, to_stage):
    make_track()
    lead = make_lead()
    to_stage(lead, "not-ready")
    nurture_changes_sweep()
    NurtureEnrollment.objects.filter(lead=lead).update(status=EnrollmentStatus.COMPLETED)

    assert nurture_changes_sweep().entered == 0


def test_entry_is_written_on_the_timeline_by_the_system(make_track, make_lead, to_stage):
    track = make_track(name="Bariatrics, patient, not ready")
    lead = make_lead()
    to_stage(lead, "not-ready")
    nurture_changes_sweep()

    note = lead.activities.get(kind=ActivityKind.NOTE)
    assert note.author is None
    assert note.body == f"Entered the nurture track “{track.name}”."


@pytest.mark.parametrize(
    ("recontact_in_days", "enters"),
    [(0, True), (1, False), (-3, True), (-10, False)],
    ids=["date-is-today", "date-is-tomorrow", "date-passed-3-days-ago", "date-long-past"],
)
def test_reengagement_picks_up_not_ready_leads_on_their_recontact_date(
    make_track, make_lead, to_stage, clock, recontact_in_days, enters
):
    make_track(trigger=EntryTrigger.RECONTACT, stage=None)
    lead = make_lead()
    to_stage(lead, "not-ready", recontact_on=(T0 + dt.timedelta(days=20)).date())
    clock.move_to(T0 + dt.timedelta(days=20 - recontact_in_days))

    assert nurture_reengagement_sweep() == int(enters)
    assert nurture_reengagement_sweep() == 0


def test_reengagement_uses_the_location_date_not_utc(make_track, make_lead, to_stage, clock):
    make_track(trigger=EntryTrigger.RECONTACT, stage=None)
    lead = make_lead()
    recontact_on = (T0 + dt.timedelta(days=20)).date()
    to_stage(lead, "not-ready", recontact_on=recontact_on)
    # 02:00 UTC on the date is still the evening before in Chicago.
    clock.move_to(dt.datetime.combine(recontact_on, dt.time(2, 0), tzinfo=dt.UTC))
    assert nurture_reengagement_sweep() == 0

    clock.move_to(dt.datetime.combine(recontact_on, dt.time(6, 0), tzinfo=dt.UTC))
    assert nurture_reengagement_sweep() == 1


def test_staff_enroll_by_hand_once(make_track, make_lead, coordinator):
    track = make_track(trigger=EntryTrigger.MANUAL, stage=None)
    lead = make_lead()

    enrollment = nurture_enroll(track=track, lead=lead, actor=coordinator)
    with pytest.raises(ValidationError) as error:
        nurture_enroll(track=track, lead=lead, actor=coordinator)

    assert enrollment.entered_by == coordinator
    assert "already on" in error.value.message_dict["track"][0]


def test_closed_lead_cannot_be_enrolled_by_hand(make_track, make_lead, to_stage, coordinator):
    track = make_track(trigger=EntryTrigger.MANUAL, stage=None)
    lead = to_stage(make_lead(), "disqualified")

    with pytest.raises(ValidationError) as error:
        nurture_enroll(track=track, lead=lead, actor=coordinator)

    assert "lead" in error.value.message_dict


@pytest.fixture
def enrolled(make_track, make_lead, to_stage):
    """A lead that entered a Not ready track; its first email waits two business days."""
    from tests.nurture.conftest import step

    make_track(steps=[step(wait=2)])
    lead = to_stage(make_lead(), "not-ready")
    nurture_changes_sweep()
    return NurtureEnrollment.objects.get(lead=lead)


def reply(lead, kind):
    activity_log(lead=lead, kind=kind, actor=None, direction=Direction.INBOUND)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (lambda lead, move: move(lead, "scheduled"), ExitReason.SCHEDULED),
        (lambda lead, move: move(move(lead, "scheduled"), "completed"), ExitReason.CONVERTED),
        (lambda lead, move: move(lead, "disqualified"), ExitReason.LOST),
        (lambda lead, move: move(lead, "referred-elsewhere"), ExitReason.LOST),
        (lambda lead, move: move(lead, "contacted"), ExitReason.LEFT_STAGE),
        (lambda lead, move: reply(lead, ActivityKind.SMS), ExitReason.REPLIED),
        (lambda lead, move: reply(lead, ActivityKind.EMAIL), ExitReason.REPLIED),
        (lambda lead, move: reply(lead, ActivityKind.CALL), ExitReason.REPLIED),
    ],
    ids=[
        "scheduled",
        "scheduled-then-completed",
        "disqualified",
        "referred-elsewhere",
        "moved-on",
        "replied-by-text",
        "replied-by-email",
        "called-us",
    ],
)
def test_exit_rules(enrolled, to_stage, clock, event, reason):
    clock.shift(60)
    event(enrolled.lead, to_stage)

    assert nurture_changes_sweep().exited == 1

    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.exit_reason) == (EnrollmentStatus.EXITED, reason)
    assert enrolled.sends.get().status == SendStatus.CANCELLED


def test_converted_lead_leaves_with_converted(make_track, make_lead, to_stage, clock):
    make_track(stage="scheduled")
    lead = to_stage(make_lead(), "scheduled")
    nurture_changes_sweep()
    clock.shift(60)
    to_stage(lead, "completed")

    nurture_changes_sweep()

    assert NurtureEnrollment.objects.get(lead=lead).exit_reason == ExitReason.CONVERTED


def test_our_own_outbound_message_is_not_a_reply(enrolled, coordinator, clock):
    clock.shift(60)
    activity_log(
        lead=enrolled.lead, kind=ActivityKind.EMAIL, actor=coordinator, direction=Direction.OUTBOUND
    )

    assert nurture_changes_sweep().exited == 0
    assert nurture_exits_sweep() == 0


def test_lead_closed_without_a_timeline_entry_leaves_at_the_hourly_check(enrolled, clock):
    """A change that wrote no activity (a merge, a fix in the admin) is not seen by the
    changes sweep; the hourly check of every enrollment ends it."""
    nurture_changes_sweep()  # each activity is read by two sweeps: this is the second
    clock.shift(60)
    Lead.objects.filter(pk=enrolled.lead_id).update(closed_at=T0 + dt.timedelta(seconds=60))

    assert nurture_changes_sweep().exited == 0
    assert nurture_exits_sweep() == 1
    enrolled.refresh_from_db()
    assert enrolled.exit_reason == ExitReason.LOST


def test_staff_stop_ends_the_enrollment_and_says_who(enrolled, coordinator):
    nurture_enrollment_stop(enrollment=enrolled, actor=coordinator)

    enrolled.refresh_from_db()
    assert (enrolled.exit_reason, enrolled.exited_by) == (ExitReason.STOPPED_BY_STAFF, coordinator)
    note = enrolled.lead.activities.filter(kind=ActivityKind.NOTE).first()
    assert note.author == coordinator
    assert "Stopped by staff" in note.body
    with pytest.raises(ValidationError):
        nurture_enrollment_stop(enrollment=enrolled, actor=coordinator)


def test_exit_sweep_leaves_enrollments_without_a_reason_alone(enrolled):
    assert nurture_exits_sweep() == 0
    enrolled.refresh_from_db()
    assert enrolled.status == EnrollmentStatus.ACTIVE
