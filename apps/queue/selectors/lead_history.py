"""Reads for the lead page's History tab: every recorded change to the lead, its person
(and caregiver), their consents and the lead's timeline entries, in plain words.

The event tables hold copies of patient data, so this is a read of patient information:
scoped like the lead page (lead_in_reach) and recorded in the access log. A fixed number
of queries however long the history: one per kind of object, then the names.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.changes import ChangeEntry, Tracked, change_entries
from apps.audit.services import access_record
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.queue.selectors.lead_page import lead_in_reach

# The newest changes shown; a lead worked for months can have thousands.
HISTORY_LIMIT = 300


@dataclass
class LeadHistory:
    lead: Lead
    entries: list[ChangeEntry]
    truncated: bool


def lead_history_get(*, user: User, lead_id: int) -> LeadHistory:
    """The History tab of a lead the user may see (Lead.DoesNotExist otherwise)."""
    lead, emergency = lead_in_reach(
        user=user, lead_id=lead_id, related=("person", "caregiver", "service_line")
    )
    person_ids = [lead.person_id] + ([lead.caregiver_id] if lead.caregiver_id else [])
    names = {lead.person_id: "Person", lead.caregiver_id: "Caregiver"}
    entries = change_entries(
        tracked=[
            Tracked(
                model=Lead,
                events=list(Lead.pgh_event_model.objects.filter(pgh_obj_id=lead.pk)),
                subject="Lead",
                shown_on_create=("stage", "urgency", "service_line", "channel"),
            ),
            Tracked(
                model=Person,
                events=list(Person.pgh_event_model.objects.filter(pgh_obj_id__in=person_ids)),
                subject=lambda event: names.get(event.pgh_obj_id, "Person"),
            ),
            Tracked(
                model=Consent,
                events=list(Consent.pgh_event_model.objects.filter(person_id__in=person_ids)),
                subject=lambda event: (
                    f"{names.get(event.person_id, 'Person')}'s consent: "
                    f"{event.get_channel_display()}, {event.get_purpose_display().lower()}"
                ),
                shown_on_create=("status", "method"),
            ),
            Tracked(
                model=Activity,
                # Entries merged in from another lead keep their events under that lead.
                events=list(
                    Activity.pgh_event_model.objects.filter(
                        Q(lead_id=lead.pk)
                        | Q(pgh_obj_id__in=Activity.objects.filter(lead=lead).values("id"))
                    )
                ),
                subject=lambda event: f"Timeline: {event.get_kind_display().lower()}",
            ),
        ],
        admin_path=reverse("admin:index"),
    )
    access_record(
        user=user,
        what="lead history",
        break_glass=emergency is not None,
        reason=f"{emergency.get_reason_display()}: {emergency.reason_text}" if emergency else "",
        lead_ids=[lead.pk],
        person_ids=person_ids,
    )
    return LeadHistory(
        lead=lead, entries=entries[:HISTORY_LIMIT], truncated=len(entries) > HISTORY_LIMIT
    )
