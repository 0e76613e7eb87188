"""Generate people, leads, their timelines and consents as COPY rows, in chunks.

Everything comes from one seeded random.Random, in one order, so the same seed gives
the same people and journeys. Rows obey the models' check constraints: a closed lead
has closed_at, a granted consent has its wording, a caregiver is never the patient.
"""

import datetime as dt
import itertools
import random
import zoneinfo

from apps.demo.seeding import catalog, vocab
from apps.demo.seeding import journeys as j
from apps.demo.seeding.pools import (
    HOUR_WEIGHTS,
    NULL,
    NamePools,
    PhoneBook,
    TimeText,
    day_weights,
)
from apps.demo.seeding.rules import REFERRAL_TARGET_MINUTES
from apps.demo.seeding.setting import CHANNELS_BY_LEAD_TYPE, LEAD_TYPES, Setting
from apps.demo.seeding.timeline import consent_rows, timeline_rows


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# Column order of the generated rows (bulk.BulkLoader fills any other column).
PERSON_COLUMNS = _columns(
    "id first_name last_name phone email date_of_birth preferred_language postal_code "
    "created_at updated_at patient_id"
)
LEAD_COLUMNS = _columns(
    "id person_id caregiver_id lead_type channel service_line_id location_id urgency "
    "stage_id stage_entered_at owner_id team_id referral_source_id payer condition_interest "
    "message qualification_answers utm_source utm_medium utm_campaign utm_term utm_content "
    "landing_page first_touch_channel latest_touch_channel touch_count last_touch_at "
    "external_id captured_via score created_at updated_at routed_at first_response_at "
    "sla_due_at scheduled_at appointment_at appointment_location_id converted_at closed_at "
    "recontact_on lost_reason lost_reason_note referral_source_at_appointment_id "
    "referral_feedback_sent_at patient_last_name_lower patient_first_name_lower "
    "caregiver_last_name_lower caregiver_first_name_lower"
)
ACTIVITY_COLUMNS = _columns(
    "id lead_id kind direction outcome channel author_id is_automated occurred_at created_at "
    "body duration_seconds from_stage_id to_stage_id assignee_id due_at completed_at details"
)
CONSENT_COLUMNS = _columns(
    "id person_id channel purpose status recorded_at method wording source recorded_by_id"
)

_OTHER_LANGUAGES = ("pl", "zh", "vi", "ko", "ar")
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_DAY = 86400
_BASE_SCORE = {"routine": 35, "soon": 50, "urgent": 65}
_FEEDBACK_METHODS = (("fax", "Fax"), ("ehr", "EHR / Direct message"), ("portal", "Referral portal"))


class LeadGenerator:
    """Yields chunks of rows; ids continue from `next_ids` (table -> first free id)."""

    def __init__(
        self,
        *,
        setting: Setting,
        rng: random.Random,
        names: NamePools,
        now: int,
        days: int,
        next_ids: dict[str, int],
    ) -> None:
        self.s = setting
        self.rng = rng
        self.names = names
        self.now = now
        self.days = days
        self.next_person = itertools.count(next_ids["person"]).__next__
        self.next_lead = itertools.count(next_ids["lead"]).__next__
        self.next_activity = itertools.count(next_ids["activity"]).__next__
        self.next_consent = itertools.count(next_ids["consent"]).__next__
        self.text = TimeText()
        self.phones = PhoneBook(start=next_ids["person"])
        self.stage_ids = [setting.hospital.stage_ids[slug] for slug in j.STAGE_SLUGS]
        # (lead id, team id, routed at) of the leads left waiting in a team's queue.
        self.waiting: list[tuple[int, int, int]] = []
        # (person id, service line id, search names)
        self.recent_patients: list[tuple[int, int, str]] = []

    def created_times(self, count: int) -> list[int]:
        """When each lead came in, oldest first: weekday and daytime heavy."""
        rnd = self.rng.random
        tz = zoneinfo.ZoneInfo(catalog.LOCATIONS[0].time_zone)
        today = dt.datetime.fromtimestamp(self.now, tz).date()
        days = day_weights(rng=self.rng, today=today, days=self.days)
        midnights = [
            int(dt.datetime.combine(today - dt.timedelta(days=back), dt.time(), tz).timestamp())
            for back in range(self.days)
        ]
        latest = self.now - 120
        times = []
        for _ in range(count):
            moment = midnights[days.draw(rnd)] + HOUR_WEIGHTS.draw(rnd) * 3600 + int(rnd() * 3600)
            if moment > latest:
                moment = latest - int(rnd() * 4 * 3600)
            times.append(moment)
        times.sort()
        return times

    def chunk(self, created: list[int]) -> dict[str, list[str]]:
        rows = {"person": [], "lead": [], "activity": [], "consent": []}
        for moment in created:
            self._lead(moment, rows)
        return rows

    def _lead(self, t0: int, rows: dict[str, list[str]]) -> None:
        s, rng, rnd, text = self.s, self.rng, self.rng.random, self.text
        ts = text.ts
        t0_text = ts(t0)
        age = self.now - t0
        bucket = min(age // (30 * _DAY), 5)
        lead_type = LEAD_TYPES.draw(rnd)
        source_id = None
        line_slug = location = None
        if lead_type == "physician_referral":
            source_id = s.sources_by_bucket["clinical"][bucket].draw(rnd)
        elif lead_type == "employer":
            table = s.sources_by_bucket["employer"][bucket]
            source_id = table.draw(rnd) if table else None
        elif lead_type == "event" and rnd() < 0.5:
            table = s.sources_by_bucket["community"][bucket]
            source_id = table.draw(rnd) if table else None
        elif rnd() < 0.05:
            table = s.sources_by_bucket["other"][bucket]
            source_id = table.draw(rnd) if table else None
        if source_id is not None:
            line_slug = s.source_lines[source_id].draw(rnd)
            if rnd() < 0.85:
                location = s.source_location[source_id]
        if line_slug is None:
            line_slug = s.line_weights.draw(rnd)
        if location is None:
            location = s.location_weights.draw(rnd)
        line = s.lines[line_slug]
        channel = CHANNELS_BY_LEAD_TYPE[lead_type].draw(rnd)
        clock = s.clocks[location or "riverside-general"]
        if channel == "walk_in" and not clock.is_open(t0):
            channel = "web_form"
        urgency = line.urgency.draw(rnd)

        # People: the patient, and for caregiver inquiries the caregiver who wrote in.
        spec = s.location_specs[location or "riverside-general"]
        roll = rnd()
        language = "es" if roll < (0.22 if location == "front-range-medical" else 0.13) else "en"
        if roll > 0.97:
            language = _OTHER_LANGUAGES[int(rnd() * len(_OTHER_LANGUAGES))]
        postal = (
            f"{spec.postal_prefixes[int(rnd() * len(spec.postal_prefixes))]}{int(rnd() * 100):02d}"
        )
        is_caregiver_lead = lead_type == "caregiver"
        reused = None
        if lead_type == "patient" and self.recent_patients and rnd() < 0.03:
            candidate = self.recent_patients[int(rnd() * len(self.recent_patients))]
            if candidate[1] != line.id:
                reused = candidate
        if reused is not None:
            person_id, _, patient_names = reused
            contact = (True, False)
            family_name = None
        else:
            if is_caregiver_lead:
                years = 2 + rnd() * 15 if rnd() < 0.2 else 65 + rnd() * 30
            else:
                low, high = line.spec.age_range
                years = low + rnd() * (high - low)
            person_id, family_name, contact, patient_names = self._person(
                rows,
                t0,
                location or "riverside-general",
                language,
                postal,
                female=line.spec.female_only or rnd() < 0.55,
                years=years,
                patient_id=None,
                needs_contact=not is_caregiver_lead,
            )
            if lead_type == "patient":
                recent = self.recent_patients
                if len(recent) < 2000:
                    recent.append((person_id, line.id, patient_names))
                else:
                    recent[int(rnd() * 2000)] = (person_id, line.id, patient_names)
        caregiver_id = NULL
        caregiver_names = "\t"
        inquirer_contact = contact
        if is_caregiver_lead:
            caregiver, _, inquirer_contact, caregiver_names = self._person(
                rows,
                t0,
                location or "riverside-general",
                language,
                postal,
                female=rnd() < 0.7,
                years=30 + rnd() * 40,
                patient_id=person_id,
                needs_contact=True,
                family_name=family_name if rnd() < 0.7 else None,
            )
            caregiver_id = caregiver

        # Routing: the team covering the line and campus, an owner by round robin.
        team = s.fallback if rnd() < 0.03 else s.team_for[(line_slug, location)]
        owner_id, _ = team.members[int(rnd() * len(team.members))]
        target = line.targets[urgency]
        if lead_type == "physician_referral" and urgency == "routine":
            target = min(target, REFERRAL_TARGET_MINUTES)
        plan = j.journey_plan(
            rng=rng,
            created_at=t0,
            now=self.now,
            urgent=urgency == "urgent",
            target_minutes=target,
            clock=clock,
            speed=s.pace.get(owner_id, 1.0),
        )
        if plan.stage == j.NEW and age < 3 * _DAY and rnd() < 0.35:
            owner_id = None  # still waiting in the team's queue
        owner = NULL if owner_id is None else owner_id
        lead_id = self.next_lead()
        routed_at = t0 + 2 + int(rnd() * 25)
        if owner_id is None:
            # Routing found nobody free: the lead waits for the sweep, as real routing
            # records it (apps.routing.services.lead_waits_record).
            self.waiting.append((lead_id, team.id, routed_at))
        sla_due = t0 + target * 60 if urgency == "urgent" else clock.add_minutes(t0, target)

        pool = line.inquiries_es if language == "es" and rnd() < 0.5 else line.inquiries
        condition, payer, message = pool[int(rnd() * len(pool))]
        utm, details = s.attributions[(channel, line_slug)][int(rnd() * 64)]
        captured_via = vocab.CAPTURED_VIA[channel]
        acts = rows["activity"]
        next_activity = self.next_activity
        acts.append(
            f"{next_activity()}\t{lead_id}\tinquiry\tinbound\t\t{channel}\t{NULL}\tf\t"
            f"{t0_text}\t{t0_text}\t{message}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t"
            f"{details}"
        )
        routed_text = ts(routed_at)
        acts.append(
            f"{next_activity()}\t{lead_id}\tassignment\tinternal\t\t\t{NULL}\tf\t"
            f"{routed_text}\t{routed_text}\t{team.bodies[owner_id]}\t{NULL}\t{NULL}\t{NULL}\t"
            f"{NULL}\t{NULL}\t{NULL}\t"
            f'{{"from_owner_id": null, "to_owner_id": {"null" if owner_id is None else owner_id}, '
            f'"from_team_id": null, "to_team_id": {team.id}}}'
        )
        last_at = routed_at
        if channel in ("web_form", "chat") and inquirer_contact[1] and rnd() < 0.6:
            sent_text = ts(t0 + 30)
            acts.append(
                f"{next_activity()}\t{lead_id}\temail\toutbound\tsent\temail\t{NULL}\tt\t"
                f"{sent_text}\t{sent_text}\t{vocab.ACK_EMAIL_BODY}\t{NULL}\t{NULL}\t{NULL}\t"
                f"{NULL}\t{NULL}\t{NULL}\t{{}}"
            )
        if channel == "phone" and rnd() < 0.08:
            missed_at = (t0 + plan.first_response_at) // 2 if plan.first_response_at else t0 + 300
            missed_text = ts(min(missed_at, self.now - 60))
            acts.append(
                f"{next_activity()}\t{lead_id}\tcall\tinbound\tmissed_inbound_call\tphone\t"
                f"{NULL}\tf\t{missed_text}\t{missed_text}\t\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t"
                f"{NULL}\t{NULL}\t{{}}"
            )
        timeline_last, lost_note = timeline_rows(self, lead_id, owner, plan, acts)
        last_at = max(last_at, timeline_last)

        touch_count, latest_channel, last_touch_text = 1, channel, t0_text
        end = (plan.closed_at or self.now) - 60
        if rnd() < 0.06 and end - t0 > 7200:
            last_touch = t0 + 3600 + int(rnd() * (end - t0 - 3600))
            latest_channel = ("web_form", "phone", "chat")[int(rnd() * 3)]
            touch_count = 2
            last_touch_text = ts(last_touch)
            acts.append(
                f"{next_activity()}\t{lead_id}\tinquiry\tinbound\t\t{latest_channel}\t"
                f"{NULL}\tf\t{last_touch_text}\t{last_touch_text}\t\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t"
                f'{NULL}\t{NULL}\t{{"repeat": true, "captured_via": '
                f'"{vocab.CAPTURED_VIA[latest_channel]}"}}'
            )
            last_at = max(last_at, last_touch)
        at_appointment, feedback_at = NULL, NULL
        if source_id is not None and plan.scheduled_at is not None:
            at_appointment, feedback_at = self._closed_loop(
                lead_id, owner, plan, source_id, bucket, acts
            )
        if reused is None:
            consent_rows(
                self,
                rows["consent"],
                plan=plan,
                channel=channel,
                t0=t0,
                owner_id=owner_id,
                person_id=caregiver_id if is_caregiver_lead else person_id,
                contact=inquirer_contact,
            )

        stage = plan.stage
        scheduled = plan.scheduled_at is not None
        score = _BASE_SCORE[urgency] + int(rnd() * 25) - 5
        score += (15 if plan.qualified else 0) + (10 if stage in (j.SCHEDULED, j.COMPLETED) else 0)
        location_id = NULL if location is None else s.hospital.location_ids[location]
        appointment_location = (
            s.hospital.location_ids[location or "riverside-general"] if scheduled else NULL
        )
        external_id = (
            f"chat-{lead_id * 2654435761 % 16**8:08x}"
            if channel == "chat"
            else f"CT{lead_id * 40503 % 10**9:09d}"
            if channel == "phone"
            else ""
        )
        closed = text.ts_or_null(plan.closed_at)
        rows["lead"].append(
            f"{lead_id}\t{person_id}\t{caregiver_id}\t{lead_type}\t{channel}\t{line.id}\t"
            f"{location_id}\t{urgency}\t{self.stage_ids[stage]}\t{ts(plan.stage_entered_at)}\t"
            f"{owner}\t{team.id}\t{NULL if source_id is None else source_id}\t{payer}\t"
            f"{condition}\t{message}\t"
            f"{line.answers[int(rnd() * len(line.answers))] if plan.qualified else '{}'}\t"
            f"{utm}\t{channel}\t{latest_channel}\t{touch_count}\t{last_touch_text}\t{external_id}\t{captured_via}\t"
            f"{min(max(score, 0), 100)}\t{t0_text}\t{ts(max(last_at, plan.stage_entered_at))}\t"
            f"{routed_text}\t{text.ts_or_null(plan.first_response_at)}\t{ts(sla_due)}\t"
            f"{text.ts_or_null(plan.scheduled_at)}\t{text.ts_or_null(plan.appointment_at)}\t"
            f"{appointment_location}\t{closed if stage == j.COMPLETED else NULL}\t{closed}\t"
            f"{NULL if plan.recontact_at is None else text.date(plan.recontact_at)}\t"
            f"{plan.lost_reason}\t{lost_note}\t{at_appointment}\t{feedback_at}\t"
            f"{patient_names}\t{caregiver_names}"
        )

    def _closed_loop(self, lead_id, owner, plan, source_id, bucket, acts) -> tuple:
        """For a referred lead that got an appointment: sometimes another source named at
        the appointment, and (once completed) the visit summary sent back to the
        referrer, almost always for older visits, often still pending for recent ones."""
        s, rnd, ts = self.s, self.rng.random, self.text.ts
        at_appointment = feedback_at = NULL
        if rnd() < 0.04:
            other = s.sources_by_bucket["clinical"][bucket].draw(rnd)
            if other != source_id:
                at_appointment = other
                noted = ts(plan.scheduled_at + 120)
                acts.append(
                    f"{self.next_activity()}\t{lead_id}\tnote\tinternal\t\t\t{owner}\tf\t"
                    f"{noted}\t{noted}\tSource at appointment: {s.source_names[other]} (first "
                    f"interaction: {s.source_names[source_id]}).\t{NULL}\t{NULL}\t{NULL}\t"
                    f'{NULL}\t{NULL}\t{NULL}\t{{"referral_source_at_appointment_id": {other}}}'
                )
        if plan.stage == j.COMPLETED:
            sent = plan.closed_at + int((1 + rnd() * 13) * _DAY)
            share = 0.96 if self.now - plan.closed_at > 21 * _DAY else 0.65
            if sent < self.now - 60 and rnd() < share:
                method, label = _FEEDBACK_METHODS[int(rnd() * len(_FEEDBACK_METHODS))]
                feedback_at = ts(sent)
                acts.append(
                    f"{self.next_activity()}\t{lead_id}\tnote\tinternal\t\t\t{owner}\tf\t"
                    f"{feedback_at}\t{feedback_at}\tVisit summary sent to the referrer ({label})."
                    f"\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t"
                    f'{{"referral_feedback": {{"referral_source_id": {source_id}, '
                    f'"method": "{method}"}}}}'
                )
        return at_appointment, feedback_at

    def _person(
        self,
        rows,
        t0,
        location,
        language,
        postal,
        *,
        female,
        years,
        patient_id,
        needs_contact,
        family_name=None,
    ):
        """Append one person; returns its id, its (last name, email-safe last name),
        whether it has a phone and an email, and its names as a lead's search names
        (the COPY fields of lead_search_names, which the load runs without)."""
        rnd = self.rng.random
        names = self.names
        pool_language = "es" if language == "es" or rnd() < 0.1 else "en"
        firsts = (names.female if female else names.male)[pool_language]
        first, first_ascii = firsts[int(rnd() * len(firsts))]
        if family_name is None:
            lasts = names.last[pool_language]
            family_name = lasts[int(rnd() * len(lasts))]
        last_name, last_ascii = family_name
        person_id = self.next_person()
        if needs_contact:
            has_phone = rnd() < 0.92
            has_email = rnd() < 0.72 or not has_phone
        else:  # a patient whose caregiver is the contact
            has_phone, has_email = rnd() < 0.35, rnd() < 0.1
        phone = self.phones.phone(location) if has_phone else ""
        email = ""
        if has_email:
            style = person_id % 3
            domain = _EMAIL_DOMAINS[person_id % 7 % 3]
            local = (
                f"{first_ascii}.{last_ascii}{person_id}"
                if style == 0
                else f"{first_ascii[0]}{last_ascii}{person_id}"
                if style == 1
                else f"{first_ascii}{last_ascii[:1]}{person_id}"
            )
            email = f"{local}@{domain}"
        birth = NULL
        if rnd() < 0.88:
            birth = self.text.date(self.now - int(years * 365.25 * _DAY) - int(rnd() * 300 * _DAY))
        created = self.text.ts(t0)
        rows["person"].append(
            f"{person_id}\t{first}\t{last_name}\t{phone}\t{email}\t{birth}\t{language}\t{postal}\t"
            f"{created}\t{created}\t{NULL if patient_id is None else patient_id}"
        )
        search_names = f"{last_name.lower()}\t{first.lower()}"
        return person_id, family_name, (has_phone, has_email), search_names
