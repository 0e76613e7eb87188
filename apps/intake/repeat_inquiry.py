"""Named steps of a repeat inquiry (intake_submit): finding the open lead a caregiver
wrote about before, and what a repeat brings to that lead."""

from django.utils import timezone

from apps.intake.selectors import contact_is_on_file
from apps.leads.choices import ActivityKind, Urgency
from apps.leads.models import Lead
from apps.leads.selectors import lead_find_open_for_caregiver
from apps.leads.services import activity_log
from apps.referral_sources.models import ReferralSource
from apps.servicelines.models import ServiceLine

URGENCY_RANK = {Urgency.ROUTINE: 0, Urgency.SOON: 1, Urgency.URGENT: 2}


def lead_find_by_caregiver(
    *, caregiver: dict, person: dict, service_line: ServiceLine
) -> Lead | None:
    """A caregiver writing again for the same patient (matched on the caregiver's phone
    or email, the same service line, and the patient's first name when both give one):
    the open lead they inquired about before."""
    phone, email = caregiver.get("phone", ""), caregiver.get("email", "")
    if not contact_is_on_file(phone=phone, email=email):
        return None  # the common case: a caregiver never seen before, one probe
    return lead_find_open_for_caregiver(
        service_line=service_line,
        phone=phone,
        email=email,
        patient_first_name=person.get("first_name", ""),
    )


def repeat_inquiry_additions(
    *, lead: Lead, urgency: str, referral_source: ReferralSource | None
) -> None:
    """What a repeat inquiry brings to the open lead: the referral source it names when the
    lead has none, and a higher urgency (never a lower one), each noted on the timeline.
    The caller restarts the response clock when the urgency rose."""
    now = timezone.now()
    if referral_source is not None and lead.referral_source_id is None:
        Lead.objects.filter(pk=lead.pk).update(referral_source=referral_source, updated_at=now)
        lead.referral_source = referral_source
        _note(lead=lead, body=f"Referral source added by a repeat inquiry: {referral_source}.")
    if URGENCY_RANK.get(urgency, 0) > URGENCY_RANK.get(lead.urgency, 0):
        before = Urgency(lead.urgency).label
        # A direct UPDATE, as safety screening does: nothing unrelated can fail it.
        Lead.objects.filter(pk=lead.pk).update(urgency=urgency, updated_at=now)
        lead.urgency = urgency
        _note(
            lead=lead,
            body=f"Urgency raised by a repeat inquiry: {before} → {Urgency(urgency).label}.",
        )


def _note(*, lead: Lead, body: str) -> None:
    activity_log(
        lead=lead,
        kind=ActivityKind.NOTE,
        actor=None,
        occurred_at=max(timezone.now(), lead.created_at),
        body=body,
        details={"repeat_inquiry": True},
    )
