"""Leads (one inquiry and its journey) and the activities on their timeline."""

import datetime as dt

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.leads.choices import (
    ActivityKind,
    Channel,
    Direction,
    LeadType,
    LostReason,
    Outcome,
    Urgency,
)
from apps.people.models import Person

# What the work queue filters and pages on, carried by its indexes (see Lead.Meta).
QUEUE_FILTER_COLUMNS = [
    "id",
    "first_response_at",
    "stage",
    "urgency",
    "channel",
    "lead_type",
    "service_line",
    "location",
]
QUEUE_COLUMNS_BESIDE_STAGE = [column for column in QUEUE_FILTER_COLUMNS if column != "stage"]

# The patient's and caregiver's names as the queue's search matches them (lower-cased),
# kept on the lead by the database itself (Lead.Meta.triggers, and person_names_to_leads
# registered on Person below).
SEARCH_NAME_COLUMNS = [
    "patient_last_name_lower",
    "patient_first_name_lower",
    "caregiver_last_name_lower",
    "caregiver_first_name_lower",
]


# The search names copy the people's names, whose changes the people's own history holds.
@pghistory.track(exclude=SEARCH_NAME_COLUMNS)
class Lead(models.Model):
    """An inquiry about a service line, from first touch to completed visit or loss.

    A lead is open while `closed_at` is null; `lead_stage_change` keeps that in step with
    the stage's kind, so hot queries filter on one indexed column instead of a join.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="leads")
    caregiver = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads_as_caregiver",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    lead_type = models.CharField(max_length=20, choices=LeadType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # No single-column index on the few-valued keys (service line, location, stage,
    # appointment location): every insert would pay for it, no read uses it (the covering
    # indexes below serve the filters), and their rows are PROTECTed, rarely deleted.
    service_line = models.ForeignKey(
        "servicelines.ServiceLine", on_delete=models.PROTECT, db_index=False
    )
    location = models.ForeignKey(
        "facilities.Location", null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    stage = models.ForeignKey("pipeline.PipelineStage", on_delete=models.PROTECT, db_index=False)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    referral_source = models.ForeignKey(
        "referral_sources.ReferralSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,  # lead_source_created_idx starts with it
    )
    # The source at the first meaningful interaction stays in `referral_source`; the
    # one recorded at appointment is kept apart when it differs (issue: attribution).
    referral_source_at_appointment = models.ForeignKey(
        "referral_sources.ReferralSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads_at_appointment",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    # Closed loop: when the visit summary or consult note went back to the referrer.
    referral_feedback_sent_at = models.DateTimeField(null=True, blank=True)
    payer = models.CharField(max_length=120, blank=True)
    condition_interest = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=5000, blank=True)
    qualification_answers = models.JSONField(default=dict, blank=True)

    # Attribution: where the lead came from, first and latest.
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    landing_page = models.URLField(max_length=2000, blank=True)
    first_touch_channel = models.CharField(max_length=20, choices=Channel.choices)
    latest_touch_channel = models.CharField(max_length=20, choices=Channel.choices)
    touch_count = models.PositiveIntegerField(default=1)
    last_touch_at = models.DateTimeField(default=timezone.now)
    external_id = models.CharField(max_length=128, blank=True)
    captured_via = models.CharField(max_length=120, blank=True)

    score = models.SmallIntegerField(default=0)

    # Written only by the lead_search_names trigger (from person and caregiver, on every
    # insert and whenever either changes or is renamed): the queue finds a name among a
    # coordinator's own open leads through the *_name_idx indexes, instead of first
    # looking up every person in the hospital who has that name.
    patient_last_name_lower = models.CharField(max_length=100, blank=True, editable=False)
    patient_first_name_lower = models.CharField(max_length=100, blank=True, editable=False)
    caregiver_last_name_lower = models.CharField(max_length=100, blank=True, editable=False)
    caregiver_first_name_lower = models.CharField(max_length=100, blank=True, editable=False)

    # The journey's clock.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    appointment_location = models.ForeignKey(
        "facilities.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    recontact_on = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=30, choices=LostReason.choices, blank=True)
    lost_reason_note = models.CharField(max_length=500, blank=True)
    # Set while this lead is merged into another (see apps.leads.merging); cleared on undo.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_leads",
        db_index=False,  # indexed where set (Meta.indexes)
    )

    class Meta:
        indexes = [
            # Keys most leads leave empty, or empty when intake inserts the lead: indexed
            # only where set, so an insert with none of them touches none of these.
            *[
                models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)
                for field, name in (
                    ("caregiver", "lead_caregiver_idx"),
                    ("owner", "lead_owner_idx"),
                    ("team", "lead_team_idx"),
                    ("referral_source_at_appointment", "lead_source_at_appt_idx"),
                    ("merged_into", "lead_merged_into_idx"),
                )
            ],
            # Staff list newest first; cursor pagination seeks on it.
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            # Funnel and dashboards by period (shared/PERFORMANCE.md: covering index).
            models.Index(
                fields=["created_at"],
                include=["stage", "service_line", "channel"],
                name="lead_created_cover_idx",
            ),
            # Work queues: open leads by owner or team, a stage at a time, in response-clock
            # order. Most of a coordinator's open leads wait past intake (scheduled,
            # nurture), so the queue reads each working stage on its own instead of skipping
            # those. They carry the columns the queue filters on, so a filtered queue is
            # read from the index alone (a coordinator holds hundreds of thousands of open
            # leads in the 10M-lead benchmark data).
            models.Index(
                fields=["owner", "stage", "sla_due_at"],
                include=QUEUE_COLUMNS_BESIDE_STAGE,
                condition=Q(closed_at__isnull=True),
                name="lead_open_owner_stage_idx",
            ),
            models.Index(
                fields=["team", "stage", "sla_due_at"],
                include=["owner", *QUEUE_COLUMNS_BESIDE_STAGE],
                condition=Q(closed_at__isnull=True),
                name="lead_open_team_stage_idx",
            ),
            # The routing sweep looks only at leads nobody has routed yet.
            models.Index(
                fields=["created_at"],
                condition=Q(routed_at__isnull=True),
                name="lead_unrouted_idx",
            ),
            # Repeat-inquiry matching: the open lead of a person for a service line. The
            # queue's search by email or phone reads whose open leads these are from the
            # index alone.
            models.Index(
                fields=["person", "service_line"],
                include=["id", "owner", "team"],
                condition=Q(closed_at__isnull=True),
                name="lead_open_person_line_idx",
            ),
            # The queue's "response clock running" rows: open, not yet answered, mine.
            models.Index(
                fields=["owner", "sla_due_at"],
                include=QUEUE_FILTER_COLUMNS,
                condition=Q(closed_at__isnull=True, first_response_at__isnull=True),
                name="lead_clock_owner_due_idx",
            ),
            # The queue's "waiting in my team, nobody has claimed it" rows.
            models.Index(
                fields=["team", "sla_due_at"],
                include=QUEUE_FILTER_COLUMNS,
                condition=Q(closed_at__isnull=True, owner__isnull=True),
                name="lead_unowned_team_due_idx",
            ),
            # The queue's search by name: a coordinator's (or a team's) open leads by the
            # patient's and, where there is one, the caregiver's last name.
            *[
                models.Index(
                    fields=[scope, f"{side}_last_name_lower"],
                    include=["id", f"{side}_first_name_lower"],
                    condition=Q(closed_at__isnull=True) & condition,
                    name=f"lead_{scope}_{short}_name_idx",
                )
                for scope in ("owner", "team")
                for side, short, condition in (
                    ("patient", "patient", Q()),
                    ("caregiver", "carer", Q(caregiver__isnull=False)),
                )
            ],
            models.Index(fields=["referral_source", "created_at"], name="lead_source_created_idx"),
            models.Index(fields=["external_id"], name="lead_external_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_type__in=LeadType.values), name="lead_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="lead_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="lead_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(lost_reason="") | Q(lost_reason__in=LostReason.values),
                name="lead_lost_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="lead_score_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(touch_count__gte=1), name="lead_touch_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True)
                | Q(first_response_at__gte=F("created_at")),
                name="lead_first_response_after_created",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("created_at")),
                name="lead_closed_after_created",
            ),
            models.CheckConstraint(
                condition=Q(caregiver__isnull=True) | ~Q(caregiver=F("person")),
                name="lead_caregiver_not_patient",
            ),
        ]
        triggers = [
            # The search names follow the lead's people. Recomputed whenever a statement
            # sets the people or the names themselves (a person's rename sets person_id
            # to itself), so a stale instance's save() cannot write an old name back.
            pgtrigger.Trigger(
                name="lead_search_names",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("person_id", "caregiver_id", *SEARCH_NAME_COLUMNS),
                func="""
                SELECT lower(last_name), lower(first_name)
                  INTO NEW.patient_last_name_lower, NEW.patient_first_name_lower
                  FROM people_person WHERE id = NEW.person_id;
                NEW.caregiver_last_name_lower := '';
                NEW.caregiver_first_name_lower := '';
                IF NEW.caregiver_id IS NOT NULL THEN
                    SELECT lower(last_name), lower(first_name)
                      INTO NEW.caregiver_last_name_lower, NEW.caregiver_first_name_lower
                      FROM people_person WHERE id = NEW.caregiver_id;
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    # What staff may still do on a lead, by its state. A merged lead lives on in the lead
    # it was merged into; a closed one keeps its record (a note) and can be reopened by
    # moving its stage, but nobody calls, texts, claims or sets follow-ups on it.
    ACTIONS_OPEN = frozenset(
        {"call", "message", "note", "task", "stage", "claim", "assign", "merge"}
    )
    ACTIONS_CLOSED = frozenset({"note", "stage"})

    @property
    def actions_allowed(self) -> frozenset[str]:
        if self.merged_into_id is not None:
            return frozenset()
        return self.ACTIONS_OPEN if self.closed_at is None else self.ACTIONS_CLOSED

    def action_refusal(self, action: str) -> str:
        """Why `action` is not offered on this lead ("" when it is)."""
        if action in self.actions_allowed:
            return ""
        if self.merged_into_id is not None:
            return f"This lead is merged into lead #{self.merged_into_id}: work it there."
        return "This lead is closed: move it back to an open stage first."

    @property
    def time_to_first_response(self):
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at


# A lead's history reads its timeline entries' events by lead.
# A person's rename reaches the search names of their leads, as patient or caregiver: the
# no-op update of person_id fires lead_search_names on each. Declared here, beside the
# columns it keeps, though it runs on the people table.
pgtrigger.register(
    pgtrigger.Trigger(
        name="person_names_to_leads",
        when=pgtrigger.After,
        operation=pgtrigger.UpdateOf("first_name", "last_name"),
        condition=pgtrigger.AnyChange("first_name", "last_name"),
        func="""
        UPDATE leads_lead SET person_id = person_id
         WHERE person_id = NEW.id OR caregiver_id = NEW.id;
        RETURN NULL;
        """,
    )
)(Person)


@pghistory.track(meta={"indexes": [models.Index(fields=["lead"], name="activity_event_lead_idx")]})
class Activity(models.Model):
    """One entry on a lead's timeline: a call, message, note, task, inquiry touch or
    stage change. Stage changes carry from/to so the journey can be replayed."""

    # activity_timeline_idx starts with lead_id: a second index on it would only cost.
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INTERNAL
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text="Empty for the system: intake, routing and automatic messages.",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    is_automated = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.TextField(max_length=10000, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Nine stages over millions of activities: an index on either key serves no read.
    from_stage = models.ForeignKey(
        "pipeline.PipelineStage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    to_stage = models.ForeignKey(
        "pipeline.PipelineStage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Tasks: who must do it, by when, and when it was done.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The timeline is append-only for staff: an entry logged in error is struck through
    # with a reason (activity_strike), never edited or deleted; the original stays.
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    strike_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-occurred_at", "-id"], name="activity_timeline_idx"),
            # Staff keys, empty on system entries (intake, routing, automatic messages).
            models.Index(
                fields=["author"], condition=Q(author__isnull=False), name="activity_author_idx"
            ),
            models.Index(
                fields=["assignee"],
                condition=Q(assignee__isnull=False),
                name="activity_assignee_idx",
            ),
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(kind="task", completed_at__isnull=True),
                name="activity_open_task_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="activity_direction_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="stage_change") | Q(to_stage__isnull=False),
                name="activity_stage_change_has_to_stage",
            ),
            models.CheckConstraint(
                condition=~Q(kind="task") | Q(due_at__isnull=False),
                name="activity_task_has_due_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on lead #{self.lead_id}"

    @property
    def logged_late_by(self) -> dt.timedelta | None:
        """How long after it happened the entry was logged, when more than a minute:
        the timeline shows it, so a backdated call is plain to see."""
        if self.created_at is None or self.occurred_at is None:
            return None
        late = self.created_at - self.occurred_at
        return late if late > BACKDATE_SHOWN_AFTER else None


# An entry logged within a minute of happening reads as logged when it happened.
BACKDATE_SHOWN_AFTER = dt.timedelta(minutes=1)


def clock_backdate_limit() -> dt.timedelta:
    """How far before it was logged a contact attempt may stop the response clock."""
    return dt.timedelta(minutes=settings.LEADS_CLOCK_BACKDATE_MINUTES)


def clock_stop_at(*, occurred_at: dt.datetime, logged_at: dt.datetime) -> dt.datetime:
    """When a human contact attempt stops the response clock: when it happened, but no
    earlier than LEADS_CLOCK_BACKDATE_MINUTES before it was logged (a call logged today
    as made twelve days ago is not a first response twelve days ago)."""
    return max(occurred_at, logged_at - clock_backdate_limit())


def clock_stop_expression() -> Greatest:
    """clock_stop_at as SQL over an Activity's occurred_at and created_at."""
    return Greatest(
        F("occurred_at"),
        ExpressionWrapper(
            F("created_at") - Value(clock_backdate_limit()), output_field=models.DateTimeField()
        ),
    )


class LeadMerge(models.Model):
    """One lead folded into another by staff: who did it, what moved, and what to put
    back on undo. The duplicate keeps its row (closed as a duplicate), so undo is exact."""

    survivor = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges_received")
    duplicate = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="merges_as_duplicate"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    # Exactly the activities that moved, so undo moves back those and nothing logged since.
    moved_activity_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # The fields the merge changed on each lead, as they were before it.
    survivor_before = models.JSONField(default=dict, blank=True)
    duplicate_before = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [
            models.Index(fields=["survivor", "-merged_at"], name="lead_merge_survivor_idx"),
            models.Index(fields=["duplicate", "-merged_at"], name="lead_merge_duplicate_idx"),
        ]
        constraints = [
            # A lead is merged into at most one other at a time.
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=Q(undone_at__isnull=True),
                name="lead_merge_one_active_per_duplicate",
            ),
            models.CheckConstraint(
                condition=~Q(survivor=F("duplicate")), name="lead_merge_not_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.duplicate_id} merged into #{self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
