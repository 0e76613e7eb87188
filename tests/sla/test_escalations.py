"""The escalation chain: each level fires at its time, once, for the right people."""

import datetime as dt

import pytest
from django.db import transaction

from apps.alerts.models import Alert
from apps.leads.choices import ActivityKind, Direction, LostReason, Outcome
from apps.leads.services import activity_log, lead_stage_change
from apps.pipeline.choices import DefaultStage
from apps.pipeline.selectors import stage_get_by_slug
from apps.sla.choices import EscalationLevel, EscalationOutcome
from apps.sla.models import LeadEscalation
from apps.sla.services import escalations_sweep, lead_sla_start
from tests.sla.factories import ResponsePolicyFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def alerts_of(lead) -> list[tuple[str, str]]:
    return sorted(Alert.objects.filter(lead=lead).values_list("level", "recipient__username"))


@pytest.fixture
def started_lead(make_lead, manager, fallback_team):
    """An urgent lead (20 wall-clock minutes) routed to its owner at T0."""
    lead = make_lead()
    lead_sla_start(lead=lead, started_at=T0)
    return lead


def test_sla_start_sets_due_time_and_schedules_the_chain(started_lead):
    started_lead.refresh_from_db()

    assert started_lead.sla_due_at == T0 + minutes(20)
    assert sorted(LeadEscalation.objects.values_list("level", "due_at")) == [
        (EscalationLevel.BREACH, T0 + minutes(20)),
        (EscalationLevel.FALLBACK_REASSIGN, T0 + minutes(50)),
        (EscalationLevel.OWNER_NOTICE, T0 + minutes(15)),
    ]


def test_nothing_fires_before_75_percent_of_the_target(clock, started_lead):
    clock.move_to(
        T0
        + minutes(
            14,
        )
        + dt.timedelta(seconds=59)
    )

    escalations_sweep()

    assert alerts_of(started_lead) == []


def test_owner_is_notified_at_75_percent_once(clock, started_lead):
    clock.move_to(T0 + minutes(15))

    escalations_sweep()
    escalations_sweep()

    assert alerts_of(started_lead) == [("owner_notice", "coordinator")]


def test_unowned_lead_notice_goes_to_the_team_lead(clock, make_lead, manager):
    lead = make_lead(owner=None)
    lead_sla_start(lead=lead, started_at=T0)
    clock.move_to(T0 + minutes(15))

    escalations_sweep()

    assert alerts_of(lead) == [("owner_notice", "teamlead")]


def test_breach_alerts_team_lead_and_managers_once(clock, started_lead):
    clock.move_to(T0 + minutes(20))

    escalations_sweep()
    escalations_sweep()

    assert alerts_of(started_lead) == [
        ("breach", "manager"),
        ("breach", "teamlead"),
        ("owner_notice", "coordinator"),
    ]


def test_late_sweep_fires_every_level_due_in_one_run(clock, started_lead, fallback_team):
    clock.move_to(T0 + minutes(90))

    escalations_sweep()

    assert [level for level, _ in alerts_of(started_lead)] == [
        "breach",
        "breach",
        "owner_notice",
        "reassigned",
        "reassigned",
    ]


def test_fallback_reassignment_at_breach_plus_30_minutes(clock, started_lead, fallback_team):
    clock.move_to(T0 + minutes(49))
    escalations_sweep()
    started_lead.refresh_from_db()
    assert started_lead.team_id != fallback_team.pk

    clock.move_to(T0 + minutes(50))
    escalations_sweep()
    escalations_sweep()

    started_lead.refresh_from_db()
    assert (started_lead.team_id, started_lead.owner_id) == (fallback_team.pk, None)
    assignments = started_lead.activities.filter(kind=ActivityKind.ASSIGNMENT)
    assert assignments.count() == 1
    assert "fallback team" in assignments.get().body
    assert [a for a in alerts_of(started_lead) if a[0] == "reassigned"] == [
        ("reassigned", "coordinator"),
        ("reassigned", "fallbacklead"),
    ]


def test_policy_sets_reassignment_delay_and_can_switch_levels_off(
    clock, make_lead, service_line, manager, fallback_team
):
    ResponsePolicyFactory(
        service_line=service_line,
        target_minutes=40,
        owner_notice_percent=None,
        alert_at_breach=False,
        fallback_after_breach_minutes=5,
    )
    lead = make_lead()
    lead_sla_start(lead=lead, started_at=T0)
    clock.move_to(T0 + minutes(45))

    escalations_sweep()

    lead.refresh_from_db()
    assert lead.team_id == fallback_team.pk
    assert {level for level, _ in alerts_of(lead)} == {"reassigned"}


def _call_logged(lead, owner, outcome) -> None:
    activity_log(
        lead=lead,
        kind=ActivityKind.CALL,
        direction=Direction.OUTBOUND,
        outcome=outcome,
        actor=owner,
    )


@pytest.mark.parametrize(
    "answer_after_minutes", [pytest.param(1, id="early"), pytest.param(19, id="just-in-time")]
)
def test_responded_lead_gets_no_escalation(clock, started_lead, owner, answer_after_minutes):
    clock.move_to(T0 + minutes(answer_after_minutes))
    _call_logged(started_lead, owner, Outcome.REACHED)
    clock.move_to(T0 + minutes(120))

    escalations_sweep()

    assert alerts_of(started_lead) == []
    assert set(LeadEscalation.objects.values_list("outcome", flat=True)) == {
        EscalationOutcome.SKIPPED
    }
    started_lead.refresh_from_db()
    assert started_lead.time_to_first_response == minutes(answer_after_minutes)


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.LEFT_VOICEMAIL])
def test_a_call_that_reached_nobody_does_not_stop_the_escalation(
    clock, started_lead, owner, outcome
):
    clock.move_to(T0 + minutes(1))
    _call_logged(started_lead, owner, outcome)
    clock.move_to(T0 + minutes(25))

    escalations_sweep()

    assert "breach" in {level for level, _ in alerts_of(started_lead)}
    started_lead.refresh_from_db()
    assert started_lead.first_response_at is None


def test_automatic_message_does_not_stop_the_escalation(clock, started_lead, owner):
    activity_log(
        lead=started_lead,
        kind=ActivityKind.EMAIL,
        direction=Direction.OUTBOUND,
        outcome=Outcome.SENT,
        actor=None,
        is_automated=True,
    )
    clock.move_to(T0 + minutes(20))

    escalations_sweep()

    assert ("breach", "teamlead") in alerts_of(started_lead)


def test_closed_lead_gets_no_escalation(clock, started_lead, owner):
    lead_stage_change(
        lead=started_lead,
        to_stage=stage_get_by_slug(DefaultStage.DISQUALIFIED),
        actor=owner,
        lost_reason=LostReason.NOT_A_CANDIDATE,
    )
    clock.move_to(T0 + minutes(120))

    escalations_sweep()

    assert alerts_of(started_lead) == []
    started_lead.refresh_from_db()
    assert started_lead.team.is_fallback is False


def test_sweep_killed_mid_run_leaves_nothing_half_done(clock, started_lead):
    clock.move_to(T0 + minutes(20))

    class WorkerKilled(Exception):
        pass

    # Everything the sweep did inside the failed run is rolled back, as when a worker
    # dies before commit; the redelivered run then fires each alert exactly once.
    with pytest.raises(WorkerKilled), transaction.atomic():
        escalations_sweep()
        assert len(alerts_of(started_lead)) == 3
        raise WorkerKilled
    assert alerts_of(started_lead) == []

    escalations_sweep()
    escalations_sweep()

    assert len(alerts_of(started_lead)) == 3


def test_rerouting_moves_pending_steps_and_never_refires_done_ones(clock, started_lead):
    clock.move_to(T0 + minutes(15))
    escalations_sweep()  # owner notice fired

    lead_sla_start(lead=started_lead, started_at=T0 + minutes(15))
    clock.move_to(T0 + minutes(30))
    escalations_sweep()

    assert alerts_of(started_lead) == [("owner_notice", "coordinator")]
    steps = dict(LeadEscalation.objects.values_list("level", "due_at"))
    assert steps[EscalationLevel.BREACH] == T0 + minutes(35)


def test_routine_lead_on_friday_evening_breaches_monday_morning(
    clock, make_lead, manager, fallback_team
):
    from tests.factories import BusinessHoursFactory, LocationFactory

    campus = LocationFactory(slug="weekday-campus", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHoursFactory(location=campus, weekday=weekday)
    friday_evening = dt.datetime(2025, 6, 13, 21, 55, tzinfo=dt.UTC)  # 17:55 EDT
    clock.move_to(friday_evening)
    lead = make_lead(urgency="routine", location=campus, created_at=friday_evening)
    lead_sla_start(lead=lead, started_at=friday_evening)
    lead.refresh_from_db()
    assert lead.sla_due_at == dt.datetime(2025, 6, 16, 16, 0, tzinfo=dt.UTC)  # Mon 12:00

    clock.move_to(dt.datetime(2025, 6, 15, 12, 0, tzinfo=dt.UTC))  # Sunday
    escalations_sweep()
    assert alerts_of(lead) == []

    clock.move_to(dt.datetime(2025, 6, 16, 16, 0, tzinfo=dt.UTC))
    escalations_sweep()
    assert ("breach", "teamlead") in alerts_of(lead)


def test_sweep_reads_pending_steps_through_the_partial_index(clock, started_lead):
    from django.db import connection

    queryset = LeadEscalation.objects.filter(done_at__isnull=True, due_at__lte=T0).order_by(
        "due_at"
    )[:200]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

    assert "escalation_pending_idx" in plan
