"""A missed inbound call not returned in time alerts the owner, once per call."""

import datetime as dt

import pytest

from apps.alerts.models import Alert
from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.leads.services import activity_log
from apps.sla.services import escalations_sweep
from tests.sla.factories import ResponsePolicyFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def missed_call(lead):
    return activity_log(
        lead=lead,
        kind=ActivityKind.CALL,
        direction=Direction.INBOUND,
        outcome=Outcome.MISSED_INBOUND_CALL,
        actor=None,
    )


def call_back(lead, user, **fields):
    return activity_log(
        lead=lead,
        kind=ActivityKind.CALL,
        direction=Direction.OUTBOUND,
        outcome=Outcome.REACHED,
        actor=user,
        **fields,
    )


def missed_call_alerts(lead):
    return list(
        Alert.objects.filter(lead=lead, level="missed_call").values_list(
            "recipient__username", "activity_id"
        )
    )


@pytest.fixture
def answered_lead(clock, make_lead, owner):
    """An owned lead already answered once (its SLA chain is over)."""
    lead = make_lead()
    clock.move_to(T0 + minutes(2))
    call_back(lead, owner)
    return lead


def test_missed_call_not_returned_in_30_minutes_alerts_owner_once(clock, answered_lead):
    clock.move_to(T0 + minutes(10))
    call = missed_call(answered_lead)
    escalations_sweep()

    clock.move_to(T0 + minutes(39))
    escalations_sweep()
    assert missed_call_alerts(answered_lead) == []

    clock.move_to(T0 + minutes(40))
    escalations_sweep()
    escalations_sweep()
    assert missed_call_alerts(answered_lead) == [("coordinator", call.pk)]


def test_returned_missed_call_alerts_nobody(clock, answered_lead, owner):
    clock.move_to(T0 + minutes(10))
    missed_call(answered_lead)
    escalations_sweep()
    clock.move_to(T0 + minutes(25))
    call_back(answered_lead, owner)

    clock.move_to(T0 + minutes(60))
    escalations_sweep()

    assert missed_call_alerts(answered_lead) == []


def test_automatic_text_does_not_count_as_returning_the_call(clock, answered_lead):
    clock.move_to(T0 + minutes(10))
    missed_call(answered_lead)
    clock.move_to(T0 + minutes(11))
    activity_log(
        lead=answered_lead,
        kind=ActivityKind.SMS,
        direction=Direction.OUTBOUND,
        outcome=Outcome.SENT,
        actor=None,
        is_automated=True,
    )

    clock.move_to(T0 + minutes(41))
    escalations_sweep()

    assert len(missed_call_alerts(answered_lead)) == 1


def test_each_missed_call_alerts_separately(clock, answered_lead):
    clock.move_to(T0 + minutes(10))
    first = missed_call(answered_lead)
    clock.move_to(T0 + minutes(20))
    second = missed_call(answered_lead)

    clock.move_to(T0 + minutes(90))
    escalations_sweep()

    assert sorted(missed_call_alerts(answered_lead)) == [
        ("coordinator", first.pk),
        ("coordinator", second.pk),
    ]


def test_policy_sets_the_return_time(clock, answered_lead, service_line):
    ResponsePolicyFactory(service_line=service_line, missed_call_return_minutes=5)
    clock.move_to(T0 + minutes(10))
    missed_call(answered_lead)

    clock.move_to(T0 + minutes(15))
    escalations_sweep()

    assert len(missed_call_alerts(answered_lead)) == 1


def test_missed_call_on_a_closed_lead_alerts_nobody(clock, answered_lead, owner):
    from apps.leads.services import lead_stage_change
    from apps.pipeline.choices import DefaultStage
    from apps.pipeline.selectors import stage_get_by_slug

    clock.move_to(T0 + minutes(10))
    missed_call(answered_lead)
    lead_stage_change(
        lead=answered_lead,
        to_stage=stage_get_by_slug(DefaultStage.DISQUALIFIED),
        actor=owner,
        lost_reason="not_a_candidate",
    )

    clock.move_to(T0 + minutes(60))
    escalations_sweep()

    assert missed_call_alerts(answered_lead) == []


def test_scan_mark_stays_behind_activities_younger_than_two_minutes(clock, answered_lead):
    # A transaction that took an activity id earlier may commit after a later one: the
    # scan keeps re-reading the last two minutes so such a call is never skipped.
    from apps.sla.models import MissedCallScan

    clock.move_to(T0 + minutes(10))
    call = missed_call(answered_lead)
    escalations_sweep()
    assert MissedCallScan.objects.get().last_activity_id < call.pk

    clock.move_to(
        T0
        + minutes(
            12,
        )
        + dt.timedelta(seconds=1)
    )
    escalations_sweep()
    assert MissedCallScan.objects.get().last_activity_id == call.pk
