"""What routing looks at in a lead: a real one, or a sample typed into the dry run."""

from dataclasses import dataclass

from apps.leads.choices import Urgency
from apps.leads.models import Lead


@dataclass(frozen=True)
class LeadFacts:
    """What routing looks at in a lead: a real one, or a sample typed into the dry run."""

    service_line_id: int | None = None
    service_line_name: str = ""
    location_id: int | None = None
    location_name: str = ""
    lead_type: str = ""
    channel: str = ""
    urgency: str = Urgency.ROUTINE
    language: str = ""
    referral_source_kind: str = ""

    @classmethod
    def from_lead(cls, lead: Lead) -> "LeadFacts":
        """Needs lead.service_line, location, person and referral_source loaded."""
        return cls(
            service_line_id=lead.service_line_id,
            service_line_name=lead.service_line.name,
            location_id=lead.location_id,
            location_name=lead.location.name if lead.location_id else "",
            lead_type=lead.lead_type,
            channel=lead.channel,
            urgency=lead.urgency,
            language=lead.person.preferred_language,
            referral_source_kind=lead.referral_source.kind if lead.referral_source_id else "",
        )
