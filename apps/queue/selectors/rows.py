"""What a queue row shows: its lead as plain values, and the state of its clock."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from apps.leads.choices import Channel, LeadType
from apps.leads.models import Lead
from apps.pipeline.selectors import stage_list_cached
from apps.queue.selectors.keyset import (
    KIND_LEAD,
    KIND_TASK,
    SECTION_ANSWERED,
    SECTION_CLOCK_RUNNING,
    QueueCursor,
)

# The owner is warned at 75% of the response target (issue: escalation chain); the
# countdown turns amber at the same point, so the colour and the alert agree.
WARN_AT_SHARE = 0.75
WARN_WITHOUT_ROUTING = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class QueueLead:
    """What a queue row shows of its lead: plain values, read as one row of one query
    (fifty model instances with six related ones each cost more than the query)."""

    pk: int
    person_id: int
    first_name: str
    last_name: str
    service_line: str
    location: str
    lead_type: str
    channel: str
    stage: str
    urgency: str
    owner_id: int | None
    owner_name: str
    created_at: dt.datetime
    routed_at: dt.datetime | None
    sla_due_at: dt.datetime | None
    first_response_at: dt.datetime | None

    url: str = ""

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class QueueRow:
    """One line of the queue: a lead, or one of my tasks on a lead."""

    kind: int
    section: int
    lead: QueueLead
    due_at: dt.datetime | None
    task_id: int | None = None
    task_type: str = ""
    state: str = ""  # breached, due_soon, on_time, answered, no_clock, overdue, due
    warn_at: dt.datetime | None = None
    # What the row prints, set by apps.queue.display.queue_row_display.
    clock_text: str = ""
    clock_future: str = ""
    clock_past: str = ""
    clock_badge: tuple[str, str] | None = None
    age_text: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_task(self) -> bool:
        return self.kind == KIND_TASK

    @property
    def dom_id(self) -> str:
        return f"queue-task-{self.task_id}" if self.is_task else f"queue-lead-{self.lead.pk}"

    @property
    def due_iso(self) -> str:
        return self.due_at.isoformat() if self.due_at else ""

    @property
    def warn_iso(self) -> str:
        return self.warn_at.isoformat() if self.warn_at else ""


@dataclass
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    next_cursor: QueueCursor | None = None
    now: dt.datetime | None = None
    # The search matched more leads than are listed (SEARCH_LIMIT): the page says so.
    search_cut: bool = False


LEAD_TYPE_LABELS = dict(LeadType.choices)
CHANNEL_LABELS = dict(Channel.choices)


def queue_leads(lead_ids: set[int]) -> dict[int, QueueLead]:
    """The leads of a page as QueueLead, in one query; stage names from the stage cache."""
    stages = {stage.pk: stage.name for stage in stage_list_cached()}
    # One reverse() for the page, not one per row.
    url_pattern = reverse("queue:lead", args=[987654321]).replace("987654321", "{}")
    rows = Lead.objects.filter(pk__in=lead_ids).values_list(
        "pk",
        "person_id",
        "person__first_name",
        "person__last_name",
        "service_line__name",
        "location__name",
        "lead_type",
        "channel",
        "stage_id",
        "urgency",
        "owner_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "created_at",
        "routed_at",
        "sla_due_at",
        "first_response_at",
    )
    leads = {}
    for (
        pk,
        person_id,
        first_name,
        last_name,
        service_line,
        location,
        lead_type,
        channel,
        stage_id,
        urgency,
        owner_id,
        owner_first,
        owner_last,
        owner_username,
        created_at,
        routed_at,
        sla_due_at,
        first_response_at,
    ) in rows:
        leads[pk] = QueueLead(
            pk=pk,
            person_id=person_id,
            first_name=first_name,
            last_name=last_name,
            service_line=service_line,
            location=location or "",
            lead_type=LEAD_TYPE_LABELS.get(lead_type, lead_type),
            channel=CHANNEL_LABELS.get(channel, channel),
            stage=stages.get(stage_id, ""),
            urgency=urgency,
            owner_id=owner_id,
            owner_name=f"{owner_first or ''} {owner_last or ''}".strip() or (owner_username or ""),
            created_at=created_at,
            routed_at=routed_at,
            sla_due_at=sla_due_at,
            first_response_at=first_response_at,
            url=url_pattern.format(pk),
        )
    return leads


def row_state_set(row: QueueRow, *, now: dt.datetime) -> None:
    """The row's clock state and, for a running clock, when it turns amber."""
    if row.is_task:
        row.state = "overdue" if row.due_at <= now else "due"
        return
    lead = row.lead
    if row.section == SECTION_ANSWERED:
        row.state = "answered" if lead.first_response_at else "no_clock"
        return
    due = lead.sla_due_at
    if lead.routed_at and lead.routed_at < due:
        row.warn_at = lead.routed_at + (due - lead.routed_at) * WARN_AT_SHARE
    else:
        row.warn_at = due - WARN_WITHOUT_ROUTING
    if due <= now:
        row.state = "breached"
    elif now >= row.warn_at:
        row.state = "due_soon"
    else:
        row.state = "on_time"


def lead_clock_state(
    *, lead: Lead, now: dt.datetime | None = None
) -> tuple[str, dt.datetime | None]:
    """The response clock of one lead as the countdown shows it: (state, warn_at)."""
    now = now or timezone.now()
    # A merged or closed lead's clock has stopped for good, answered or not.
    if lead.merged_into_id is not None:
        return "merged", None
    if lead.closed_at is not None:
        return "closed", None
    if lead.first_response_at:
        return "answered", None
    if lead.sla_due_at is None:
        return "no_clock", None
    row = QueueRow(kind=KIND_LEAD, section=SECTION_CLOCK_RUNNING, lead=lead, due_at=lead.sla_due_at)
    row_state_set(row, now=now)
    return row.state, row.warn_at
