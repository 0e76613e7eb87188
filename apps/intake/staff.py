"""Inquiries staff take themselves (a phone call, a walk-in), through the same intake
as the API: the same duplicate check, red flags and routing. Only the form differs."""

import secrets

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.audit.services import access_record
from apps.intake.models import STAFF_CHANNEL_NAME, IntakeKey, intake_key_hash
from apps.intake.services import ConsentTicks, ContactDetails, IntakeResult, intake_submit
from apps.leads.choices import ActivityKind, Channel
from apps.leads.models import Lead
from apps.leads.selectors import lead_find_open_for_contact, lead_visible_to
from apps.leads.services import activity_log
from apps.servicelines.models import ServiceLine

__all__ = [
    "STAFF_CHANNEL_NAME",
    "staff_inquiry_duplicate",
    "staff_inquiry_submit",
    "staff_intake_key",
]


def staff_intake_key() -> IntakeKey:
    """The intake key staff entries are captured under, made on first use."""
    key = IntakeKey.objects.filter(name=STAFF_CHANNEL_NAME).first()
    if key is not None:
        return key
    raw = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            return IntakeKey.objects.create(
                name=STAFF_CHANNEL_NAME, prefix="staff", key_hash=intake_key_hash(raw)
            )
    except IntegrityError:  # made by a colleague at the same moment
        return IntakeKey.objects.get(name=STAFF_CHANNEL_NAME)


def staff_inquiry_duplicate(
    *, user: User, service_line: ServiceLine, phone: str, email: str
) -> tuple[Lead | None, bool]:
    """The open lead this inquiry would join (the intake's own rule: same phone or email,
    same service line), and whether the user may see it (else only its existence is
    said, not whose it is)."""
    lead = lead_find_open_for_contact(service_line=service_line, phone=phone, email=email)
    if lead is None:
        return None, False
    visible = lead_visible_to(user=user).filter(pk=lead.pk).exists()
    if visible:  # the warning names the person on that lead
        access_record(
            user=user,
            what="new inquiry: duplicate warning",
            lead_ids=[lead.pk],
            person_ids=[lead.person_id],
        )
    return lead, visible


def staff_inquiry_submit(
    *,
    actor: User,
    lead_type: str,
    channel: str,
    service_line: ServiceLine,
    location,
    urgency: str,
    person: ContactDetails,
    message: str = "",
    consent: ConsentTicks | None = None,
) -> IntakeResult:
    """Take an inquiry a staff member typed in, exactly as the intake API would (a new
    lead routed, or a new touch on the person's open lead). Side effects: those of
    intake_submit, with routing queued after commit, and a note of who took it."""
    result = intake_submit(
        intake_key=staff_intake_key(),
        lead_type=lead_type,
        channel=channel,
        service_line=service_line,
        location=location,
        urgency=urgency,
        person=person,
        message=message,
        consent=consent,
    )
    how = "in person" if channel == Channel.WALK_IN else "by phone"
    activity_log(
        lead=result.lead,
        kind=ActivityKind.NOTE,
        actor=actor,
        body=f"Inquiry taken {how} by {actor.display_name}.",
    )
    return result
