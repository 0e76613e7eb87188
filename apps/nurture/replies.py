"""What people do back: unsubscribe from emails with the link, text STOP, or reply.

A STOP withdraws SMS consent (every purpose: carriers treat STOP as "no more texts from
this number") and so stops the SMS steps; the email steps carry on. Any other text is a
reply: the person is talking to us, so every nurture track they are on ends.
"""

import re

from django.db import transaction

from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.leads.models import Lead
from apps.leads.services import activity_log
from apps.nurture.choices import EnrollmentStatus, ExitReason
from apps.nurture.models import NurtureSend
from apps.nurture.selectors import STOP_KEYWORD_DETAIL
from apps.nurture.services import enrollments_exit_for_people, nurture_enrollment_exit
from apps.people.models import (
    ConsentChannel,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Person,
)
from apps.people.selectors import consent_in_force, consent_is_granted, phone_to_e164
from apps.people.services import consent_withdraw

# The whole text, once punctuation is dropped (the CTIA and Twilio opt-out words).
STOP_MESSAGES = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE"}
    | {"OPTOUT", "OPT OUT", "STOP PLEASE", "PLEASE STOP"}
)
# Short texts starting with these are opt-outs too ("Stop texting me"); words such as
# END or CANCEL start ordinary sentences ("End of May works"), so only the whole text.
STOP_FIRST_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "OPTOUT"})
STOP_FIRST_WORD_MAX_WORDS = 4
SMS_BODY_KEPT = 1600
PURPOSE_WORDS = {
    ConsentPurpose.CARE_COORDINATION: "care coordination",
    ConsentPurpose.MARKETING: "marketing",
}


def sms_is_stop(text: str) -> bool:
    words = re.sub(r"[^\w\s]", " ", text.replace("-", "")).upper().split()
    if not words:
        return False
    return " ".join(words) in STOP_MESSAGES or (
        words[0] in STOP_FIRST_WORDS and len(words) <= STOP_FIRST_WORD_MAX_WORDS
    )


@transaction.atomic
def nurture_sms_inbound(*, from_number: str, body: str, message_sid: str = "") -> str:
    """Record a text a person sent us. Returns "stop", "reply" or "unknown" (no person
    has this number). A provider retrying the same message (same sid) changes nothing
    the second time.

    Side effects: the text on the timeline of the person's nurtured lead (or latest
    lead); STOP: SMS consent withdrawn; any other text: the person's tracks end.
    """
    phone = phone_to_e164(from_number)
    people = list(Person.objects.filter(phone=phone)) if phone else []
    if not people:
        return "unknown"
    is_stop = sms_is_stop(body)
    leads = _leads_to_log_on(people=people)
    if message_sid and _already_logged(leads=leads, message_sid=message_sid):
        return "stop" if is_stop else "reply"
    details = {"message_sid": message_sid} if message_sid else {}
    if is_stop:
        details["sms_keyword"] = STOP_KEYWORD_DETAIL
    for lead in leads:
        activity_log(
            lead=lead,
            kind=ActivityKind.SMS,
            actor=None,
            direction=Direction.INBOUND,
            outcome="" if is_stop else Outcome.REPLIED,
            body=body[:SMS_BODY_KEPT],
            details=details,
        )
    if is_stop:
        for person in people:
            _sms_consent_withdraw(person=person)
        return "stop"
    enrollments_exit_for_people(
        person_ids=[person.pk for person in people], reason=ExitReason.REPLIED
    )
    return "reply"


def _leads_to_log_on(*, people: list[Person]) -> list[Lead]:
    """Per person: the leads on a track, else the newest open lead, else the newest."""
    chosen = []
    for person in people:
        leads = list(Lead.objects.filter(person=person).order_by("-created_at", "-id"))
        nurtured = [
            lead
            for lead in leads
            if lead.nurture_enrollments.filter(status=EnrollmentStatus.ACTIVE).exists()
        ]
        fallback = [lead for lead in leads if lead.closed_at is None][:1] or leads[:1]
        chosen += nurtured or fallback
    return chosen


def _already_logged(*, leads: list[Lead], message_sid: str) -> bool:
    return (
        Lead.objects.filter(
            pk__in=[lead.pk for lead in leads],
            activities__kind=ActivityKind.SMS,
            activities__direction=Direction.INBOUND,
            activities__details__message_sid=message_sid,
        ).exists()
        if leads
        else False
    )


def _sms_consent_withdraw(*, person: Person) -> None:
    for purpose in ConsentPurpose.values:
        consent = consent_in_force(person=person, channel=ConsentChannel.SMS, purpose=purpose)
        if consent is not None and consent.status == ConsentStatus.WITHDRAWN:
            continue
        consent_withdraw(
            person=person,
            channel=ConsentChannel.SMS,
            purpose=purpose,
            method=ConsentMethod.SMS_REPLY,
            source="Replied STOP to a text message",
        )


@transaction.atomic
def nurture_unsubscribe(*, send: NurtureSend) -> bool:
    """The person used the unsubscribe link of a nurture email: withdraw email consent
    for the track's purpose and take the lead off the track. Returns False when there
    was nothing left to do (the link used twice).

    Side effects: a consent withdrawal and a timeline note; the enrollment ends.
    """
    enrollment = send.enrollment
    track, lead = enrollment.track, enrollment.lead
    withdrawn = False
    if consent_is_granted(person=lead.person, channel=ConsentChannel.EMAIL, purpose=track.purpose):
        consent_withdraw(
            person=lead.person,
            channel=ConsentChannel.EMAIL,
            purpose=track.purpose,
            method=ConsentMethod.UNSUBSCRIBE_LINK,
            source=f"Unsubscribe link in a nurture email (track #{track.pk})",
        )
        activity_log(
            lead=lead,
            kind=ActivityKind.NOTE,
            actor=None,
            body=(
                f"Unsubscribed from {PURPOSE_WORDS[track.purpose]} emails "
                "with the link in a nurture email."
            ),
            is_automated=True,
            details={"nurture_send_id": send.pk},
        )
        withdrawn = True
    ended = nurture_enrollment_exit(enrollment=enrollment, reason=ExitReason.UNSUBSCRIBED)
    return withdrawn or ended
