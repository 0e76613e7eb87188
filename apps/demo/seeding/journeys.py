"""One lead's journey through the pipeline: the stage it ends at, given its age, and the
contact attempts and stage changes that got it there, in time order.

The plan obeys the same rules as `lead_stage_change` (Completed only after Scheduled, a
lost reason on lost stages, a re-contact date on Not ready), and the first outbound
attempt by staff is the lead's first response. Nothing happens after `now`.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass, field

from apps.demo.seeding.clock import BusinessClock
from apps.leads.first_response import is_first_response
from apps.pipeline.choices import DefaultStage

NEW, ATTEMPTING, CONTACTED, QUALIFIED, SCHEDULED, COMPLETED, NOT_READY, DISQUALIFIED, REFERRED = (
    range(9)
)
STAGE_SLUGS = (
    DefaultStage.NEW,
    DefaultStage.ATTEMPTING_CONTACT,
    DefaultStage.CONTACTED,
    DefaultStage.QUALIFIED,
    DefaultStage.SCHEDULED,
    DefaultStage.COMPLETED,
    DefaultStage.NOT_READY,
    DefaultStage.DISQUALIFIED,
    DefaultStage.REFERRED_ELSEWHERE,
)
CLOSED_STAGES = (COMPLETED, DISQUALIFIED, REFERRED)

DAY = 86400
HOUR = 3600

# Where leads of a given age stand: young ones are mostly still open, old ones mostly
# completed, lost or in nurture; a few old ones were never answered (the response-time
# alerts have something to find, without a flood). Columns follow the stage constants.
_AGE_EDGES = (0.25 * DAY, 1 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY)
_STAGE_WEIGHTS_BY_AGE = (
    (55, 25, 12, 4, 1, 0, 0, 2, 1),
    (30, 33, 18, 8, 4, 0, 2, 3, 2),
    (8, 28, 20, 14, 16, 0, 5, 6, 3),
    (3, 16, 14, 14, 30, 3, 8, 8, 4),
    (1, 8, 8, 9, 30, 15, 10, 12, 6),
    (0.4, 4, 5, 5, 18, 34, 12, 14, 6.5),
    (0.2, 2, 2.5, 2.5, 6, 46, 14, 19, 9),
    (0.1, 1, 1.5, 1.5, 2.5, 46, 15, 22, 10),
)


def _cumulative(weights):
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_STAGE_CUMULATIVE = [_cumulative(row) for row in _STAGE_WEIGHTS_BY_AGE]

_DISQUALIFY_REASONS = (
    ("not_a_candidate", 30),
    ("out_of_network", 25),
    ("service_not_offered", 15),
    ("duplicate", 10),
    ("declined_by_patient", 10),
    ("other", 10),
)
_REFER_REASONS = (
    ("chose_another_provider", 45),
    ("out_of_network", 25),
    ("declined_by_patient", 20),
    ("service_not_offered", 10),
)
_DISQUALIFY_VALUES, _DISQUALIFY_CUM = (
    [r for r, _ in _DISQUALIFY_REASONS],
    _cumulative(w for _, w in _DISQUALIFY_REASONS),
)
_REFER_VALUES, _REFER_CUM = (
    [r for r, _ in _REFER_REASONS],
    _cumulative(w for _, w in _REFER_REASONS),
)

# Event codes; each event is (time, code, a, b): for "call" a = outcome, b = direction;
# for "stage" a = from stage, b = to stage.
CALL, EMAIL, SMS, NOTE, STAGE = "call", "email", "sms", "note", "stage"


@dataclass(slots=True)
class Journey:
    stage: int = NEW
    events: list = field(default_factory=list)
    first_response_at: int | None = None
    stage_entered_at: int = 0
    scheduled_at: int | None = None
    appointment_at: int | None = None
    closed_at: int | None = None
    recontact_at: int | None = None
    lost_reason: str = ""
    qualified: bool = False


def journey_plan(
    *,
    rng: random.Random,
    created_at: int,
    now: int,
    urgent: bool,
    target_minutes: int,
    clock: BusinessClock,
    speed: float,
) -> Journey:
    """Plan a lead's journey; `speed` scales how long its owner takes to answer (some
    coordinators are quicker than others)."""
    rnd = rng.random
    age = now - created_at
    cum = _STAGE_CUMULATIVE[bisect_right(_AGE_EDGES, age)]
    target = bisect_right(cum, rnd() * cum[-1])
    plan = Journey(stage_entered_at=created_at)
    if target == NEW:
        return plan

    roll = rnd()
    if roll < 0.8:
        share = 0.05 + rnd() * 0.9
    elif roll < 0.93:
        share = 1 + rnd() * 1.5
    else:
        share = 2.5 + rnd() * 6
    minutes = target_minutes * share * speed
    first = int(created_at + minutes * 60) if urgent else clock.add_minutes(created_at, minutes)
    if first > now - 600:
        return plan  # nobody could have answered yet

    events = plan.events
    stage = NEW

    def move(moment: int, to_stage: int) -> None:
        nonlocal stage
        events.append((moment, STAGE, stage, to_stage))
        stage = to_stage

    def attempt(moment: int) -> None:
        roll = rnd()
        if roll < 0.75:
            events.append((moment, CALL, "no_answer" if rnd() < 0.45 else "left_voicemail", "o"))
        elif roll < 0.88:
            events.append((moment, SMS, "delivered", "o"))
        else:
            events.append((moment, EMAIL, "sent", "o"))

    reached_first = target != ATTEMPTING and rnd() < 0.45
    never_reached = target == DISQUALIFIED and rnd() < 0.35
    moment = first
    if never_reached or not reached_first:
        attempt(moment)
        move(moment + 40, ATTEMPTING)
        for _ in range(rng.randint(2, 4) if never_reached else int(rnd() * 2.2)):
            moment += int(3 * HOUR + rnd() * 2 * DAY)
            attempt(moment)
        if target == ATTEMPTING:
            return _finish(plan, events, stage, now, first)
        if never_reached:
            moment += int(DAY + rnd() * 4 * DAY)
            move(moment, DISQUALIFIED)
            plan.lost_reason = "no_response"
            return _finish(plan, events, stage, now, first)
        moment += int(2 * HOUR + rnd() * 2 * DAY)
        events.append((moment, CALL, "reached", "i" if rnd() < 0.3 else "o"))
    else:
        events.append((moment, CALL, "reached", "o"))
    moment += 180 + int(rnd() * 900)  # the call's length
    move(moment, CONTACTED)
    if rnd() < 0.25:
        events.append((moment + 120, NOTE, "", ""))
    if target == CONTACTED:
        return _finish(plan, events, stage, now, first)

    to_qualified = (
        target == QUALIFIED
        or (target in (SCHEDULED, COMPLETED) and rnd() < 0.85)
        or (target in (NOT_READY, DISQUALIFIED, REFERRED) and rnd() < 0.4)
    )
    if to_qualified:
        moment += 60 + int(rnd() * 540) if rnd() < 0.45 else int(2 * HOUR + rnd() * 3 * DAY)
        move(moment, QUALIFIED)
        plan.qualified = True
        if target == QUALIFIED:
            return _finish(plan, events, stage, now, first)

    if target in (SCHEDULED, COMPLETED) or (target == REFERRED and rnd() < 0.15):
        moment += 600 + int(rnd() * 4 * DAY)
        move(moment, SCHEDULED)
        plan.scheduled_at = moment
        plan.appointment_at = clock.slot_on_or_after(moment + int((1 + rnd() * 20) * DAY), rnd())
        if target == SCHEDULED:
            return _finish(plan, events, stage, now, first)
        if target == COMPLETED:
            moment = plan.appointment_at + int(2 * HOUR + rnd() * 2 * DAY)
            move(moment, COMPLETED)
            return _finish(plan, events, stage, now, first)

    moment += int(HOUR + rnd() * 5 * DAY)
    move(moment, target)
    if target == NOT_READY:
        plan.recontact_at = moment + int((30 + rnd() * 90) * DAY)
    elif target == DISQUALIFIED:
        plan.lost_reason = _DISQUALIFY_VALUES[bisect_right(_DISQUALIFY_CUM, rnd() * 100)]
    else:
        plan.lost_reason = _REFER_VALUES[bisect_right(_REFER_CUM, rnd() * 100)]
    return _finish(plan, events, stage, now, first)


def _is_first_response(event: tuple) -> bool:
    _, code, outcome, direction = event
    if code not in (CALL, EMAIL, SMS):
        return False
    return is_first_response(
        kind=code,
        direction="outbound" if direction == "o" else "inbound",
        outcome=outcome,
        by_staff=True,
        is_automated=False,
    )


def _finish(plan: Journey, events: list, stage: int, now: int, first: int) -> Journey:
    """Squeeze a journey that would run past `now` into the time the lead has had."""
    last = events[-1][0]
    latest = now - 60
    if last > latest:
        scale = (latest - first) / (last - first)
        events[:] = [(first + int((e[0] - first) * scale), *e[1:]) for e in events]
        if plan.scheduled_at is not None:
            plan.scheduled_at = first + int((plan.scheduled_at - first) * scale)
            if stage == COMPLETED:
                plan.appointment_at = first + int((plan.appointment_at - first) * scale)
        if plan.recontact_at is not None:
            plan.recontact_at = max(plan.recontact_at, events[-1][0] + DAY)
    plan.first_response_at = next((e[0] for e in events if _is_first_response(e)), None)
    plan.stage = stage
    plan.stage_entered_at = next(e[0] for e in reversed(events) if e[1] == STAGE)
    if stage in CLOSED_STAGES:
        plan.closed_at = plan.stage_entered_at
    if stage == COMPLETED and plan.appointment_at > plan.closed_at:
        plan.appointment_at = plan.scheduled_at + (plan.closed_at - plan.scheduled_at) // 2
    return plan
