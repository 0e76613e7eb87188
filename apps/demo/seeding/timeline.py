"""Timeline and consent rows for one lead, from its planned journey.

Calls, messages, notes and stage changes are logged by the lead's owner; stage changes
carry from/to stages and the details `lead_stage_change` records (appointment time,
lost reason, re-contact date), so the journey replays the way the service writes it.
"""

from apps.demo.seeding import journeys as j
from apps.demo.seeding import vocab
from apps.demo.seeding.pools import NULL

_DAY = 86400
_MARKETING_WORDING = f"{vocab.CONSENT_WORDING_FORM} {vocab.CONSENT_WORDING_FORM_MARKETING}"


def _pick(rnd, options):
    return options[int(rnd() * len(options))]


def timeline_rows(gen, lead_id: int, owner, plan: j.Journey, acts: list[str]) -> tuple[int, str]:
    """Append the journey's activities; return the last moment written and the note
    given with a lost reason (the lead keeps it too)."""
    rnd, ts, next_id, stage_ids = gen.rng.random, gen.text.ts, gen.next_activity, gen.stage_ids
    last, lost_note = 0, ""
    tail = f"\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{{}}"  # no stages, task fields, details
    for moment, code, a, b in plan.events:
        t = ts(moment)
        last = moment
        if code == j.CALL:
            if a == "reached":
                duration, body = 180 + int(rnd() * 900), _pick(rnd, vocab.CALL_NOTES_REACHED)
            else:
                duration = (30 + int(rnd() * 60)) if a == "left_voicemail" else 20 + int(rnd() * 25)
                body = _pick(rnd, vocab.CALL_NOTES_MISSED)
            direction = "outbound" if b == "o" else "inbound"
            acts.append(
                f"{next_id()}\t{lead_id}\tcall\t{direction}\t{a}\tphone\t{owner}\tf\t"
                f"{t}\t{t}\t{body}\t{duration}{tail}"
            )
        elif code == j.EMAIL:
            acts.append(
                f"{next_id()}\t{lead_id}\temail\toutbound\tsent\temail\t{owner}\tf\t"
                f"{t}\t{t}\t{_pick(rnd, vocab.EMAIL_BODIES)}\t{NULL}{tail}"
            )
        elif code == j.SMS:
            acts.append(
                f"{next_id()}\t{lead_id}\tsms\toutbound\tdelivered\t\t{owner}\tf\t"
                f"{t}\t{t}\t{_pick(rnd, vocab.SMS_BODIES)}\t{NULL}{tail}"
            )
        elif code == j.NOTE:
            acts.append(
                f"{next_id()}\t{lead_id}\tnote\tinternal\t\t\t{owner}\tf\t"
                f"{t}\t{t}\t{_pick(rnd, vocab.NOTES)}\t{NULL}{tail}"
            )
        else:  # a stage change
            body, details = "", "{}"
            if b == j.SCHEDULED:
                appointment = ts(plan.appointment_at).replace(" ", "T")
                details = f'{{"appointment_at": "{appointment}:00"}}'
            elif b in (j.DISQUALIFIED, j.REFERRED):
                lost_note = body = _pick(rnd, vocab.LOST_REASON_NOTES[plan.lost_reason])
                details = f'{{"lost_reason": "{plan.lost_reason}"}}'
            elif b == j.NOT_READY:
                details = f'{{"recontact_on": "{gen.text.date(plan.recontact_at)}"}}'
            acts.append(
                f"{next_id()}\t{lead_id}\tstage_change\tinternal\t\t\t{owner}\tf\t"
                f"{t}\t{t}\t{body}\t{NULL}\t{stage_ids[a]}\t{stage_ids[b]}\t{NULL}\t{NULL}\t"
                f"{NULL}\t{details}"
            )
    if plan.events:
        last = max(last, _task_rows(gen, lead_id, owner, plan, acts))
    return last, lost_note


def _task_rows(gen, lead_id: int, owner, plan: j.Journey, acts: list[str]) -> int:
    """A follow-up task: open on open leads, the re-contact call on Not ready leads,
    done on some closed ones. Returns when it was created (0 if none)."""
    rnd, ts, now = gen.rng.random, gen.text.ts, gen.now
    first_event, last_event = plan.events[0][0], plan.events[-1][0]
    stage = plan.stage
    completed = NULL
    if stage in (j.ATTEMPTING, j.CONTACTED, j.QUALIFIED) and rnd() < 0.5:
        created = min(last_event + 300, now - 30)
        due = max(created + 3600, now - int(1.5 * _DAY) + int(rnd() * 3.5 * _DAY))
    elif stage == j.NOT_READY and rnd() < 0.7:
        created = min(last_event + 60, now - 30)
        due = plan.recontact_at
    elif stage in j.CLOSED_STAGES and rnd() < 0.15:
        created = first_event + 600
        due = created + _DAY
        if created >= plan.closed_at:
            return 0
        completed = ts(created + int(rnd() * (min(due, plan.closed_at) - created)))
    else:
        return 0
    acts.append(
        f"{gen.next_activity()}\t{lead_id}\ttask\tinternal\t\t\t{owner}\tf\t{ts(created)}\t"
        f"{ts(created)}\t{_pick(rnd, vocab.TASK_BODIES)}\t{NULL}\t{NULL}\t{NULL}\t{owner}\t"
        f"{ts(due)}\t{completed}\t{{}}"
    )
    return created


def consent_rows(
    gen,
    consents: list[str],
    *,
    plan: j.Journey,
    channel: str,
    t0: int,
    owner_id: int | None,
    person_id: int,
    contact: tuple[bool, bool],
) -> None:
    """What the person who inquired agreed to, and a few later withdrawals."""
    rnd, ts, next_id, now = gen.rng.random, gen.text.ts, gen.next_consent, gen.now
    has_phone, has_email = contact
    by = NULL if owner_id is None else owner_id
    source = vocab.CAPTURED_VIA[channel]

    def add(
        on: str,
        purpose: str,
        status: str,
        when: int,
        method: str,
        wording: str,
        origin: str,
        recorded_by,
    ) -> None:
        consents.append(
            f"{next_id()}\t{person_id}\t{on}\t{purpose}\t{status}\t{ts(when)}\t"
            f"{method}\t{wording}\t{origin}\t{recorded_by}"
        )

    if channel in ("web_form", "chat"):
        wording = (
            vocab.CONSENT_WORDING_FORM if channel == "web_form" else (vocab.CONSENT_WORDING_CHAT)
        )
        marketing = channel == "web_form" and rnd() < 0.25
        for on, ticked in (
            ("email", has_email and rnd() < 0.85),
            ("sms", has_phone and rnd() < 0.55),
            ("phone", has_phone and rnd() < 0.9),
        ):
            if not ticked:
                continue
            add(on, "care_coordination", "granted", t0, "web_form", wording, source, NULL)
            if marketing:
                add(on, "marketing", "granted", t0, "web_form", _MARKETING_WORDING, source, NULL)
            later = t0 + int((3 + rnd() * 37) * _DAY)
            if on == "sms" and rnd() < 0.04 and later < now:
                add(
                    "sms",
                    "care_coordination",
                    "withdrawn",
                    later,
                    "sms_reply",
                    "",
                    "STOP reply",
                    NULL,
                )
            elif on == "email" and marketing and rnd() < 0.1 and later < now:
                add(
                    "email",
                    "marketing",
                    "withdrawn",
                    later,
                    "unsubscribe_link",
                    "",
                    "Unsubscribe link",
                    NULL,
                )
    elif channel == "phone" and has_phone:
        add(
            "phone",
            "care_coordination",
            "granted",
            t0,
            "phone_call",
            vocab.CONSENT_WORDING_PHONE,
            source,
            by,
        )
        if rnd() < 0.4:
            add(
                "sms",
                "care_coordination",
                "granted",
                t0,
                "phone_call",
                vocab.CONSENT_WORDING_PHONE,
                source,
                by,
            )
    elif channel in ("walk_in", "event"):
        on = "phone" if has_phone else "email"
        add(
            on,
            "care_coordination",
            "granted",
            t0,
            "in_person" if channel == "walk_in" else "written",
            vocab.CONSENT_WORDING_IN_PERSON,
            source,
            NULL,
        )
    elif channel == "email" and has_email:
        add(
            "email",
            "care_coordination",
            "granted",
            t0,
            "written",
            vocab.CONSENT_WORDING_EMAIL,
            source,
            NULL,
        )
    elif plan.first_response_at and has_phone and rnd() < 0.6:
        add(
            "phone",
            "care_coordination",
            "granted",
            plan.first_response_at,
            "phone_call",
            vocab.CONSENT_WORDING_PHONE,
            "Recorded by staff",
            by,
        )
