"""Reads for the work queue: the leads and tasks due for a coordinator, in response-clock
order, one page at a time.

The queue is a merge of a few streams, each read in the order of one partial index and
cut at the page size, then merged by PostgreSQL in one UNION ALL query:

- section 0, urgent leads whose response clock runs (no first response yet), by SLA
  due time;
- section 1, the other leads whose clock runs, by SLA due time, and my follow-up tasks
  and callbacks due today, by due time: breached or overdue first, then by time left;
- section 2, my follow-ups overdue from earlier days, by due time: old chores must not
  bury a patient waiting for a first call;
- section 3, leads already answered (or without a clock), by SLA due time.

Paging is a keyset on (section, due time, kind, id): no OFFSET, no COUNT(*), so the
hundredth page costs what the first does on a million leads.
"""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import BooleanField, Count, F, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.audit.services import access_record
from apps.leads.choices import ActivityKind, Urgency
from apps.leads.models import Activity, Lead
from apps.leads.selectors import lead_ids_search, open_lead_match
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import PipelineStage, StageKind
from apps.pipeline.selectors import stage_list_cached
from apps.queue.selectors.keyset import (
    KIND_LEAD,
    KIND_TASK,
    SECTION_ANSWERED,
    SECTION_CLOCK_RUNNING,
    SECTION_OLD_TASKS,
    SECTION_URGENT,
    QueueCursor,
    keyset_after,
    queue_stream,
)
from apps.queue.selectors.rows import QueuePage, QueueRow, queue_leads, row_state_set
from apps.teams.models import Team
from apps.teams.selectors import team_ids_for_user

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


TASKS_AHEAD_AT_LEAST = dt.timedelta(hours=4)
TASK_SCAN_LIMIT = 500
# A search matching more open leads than this in one coordinator's reach is too vague to
# be worth listing in full; the first ones are shown.
SEARCH_LIMIT = 2000


class Scope:
    """Whose leads the queue shows."""

    ALL = "all"
    MINE = "mine"
    TEAMS = "teams"
    UNASSIGNED = "unassigned"

    LABELS = {
        ALL: "Mine + unclaimed in my teams",
        MINE: "Only mine",
        TEAMS: "Everything in my teams",
        UNASSIGNED: "Unclaimed in my teams",
    }


class QueueSort:
    """The queue's orders. Both are keyset-paged the same way (see keyset.py)."""

    CLOCK = "clock"
    DEADLINE = "deadline"

    LABELS = {
        CLOCK: "Most urgent first",
        DEADLINE: "By deadline only",
    }


@dataclass(frozen=True)
class QueueFilters:
    """What the coordinator narrowed the queue to. Ids and codes only; `query` (a name,
    email or phone) is never put in a URL."""

    scope: str = Scope.ALL
    service_line_id: int | None = None
    location_id: int | None = None
    stage_id: int | None = None
    urgency: str = ""
    lead_type: str = ""
    channel: str = ""
    query: str = ""
    sort: str = QueueSort.CLOCK

    def lead_condition(self, prefix: str = "") -> Q:
        """The column filters as a Q on Lead (or on a relation to it, with `prefix`)."""
        values = {
            "service_line_id": self.service_line_id,
            "location_id": self.location_id,
            "stage_id": self.stage_id,
            "urgency": self.urgency,
            "lead_type": self.lead_type,
            "channel": self.channel,
        }
        return Q(**{f"{prefix}{name}": value for name, value in values.items() if value})


def queue_team_ids(*, user: User) -> list[int]:
    """The teams whose waiting leads the user works: their own teams, or every active
    team for managers and admins (who watch the whole intake floor)."""
    if user_sees_all_leads(user=user):
        ids = getattr(user, "_queue_team_ids", None)
        if ids is None:
            ids = list(
                Team.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)
            )
            user._queue_team_ids = ids
        return ids
    return team_ids_for_user(user=user)


def queue_scopes(*, user: User) -> dict[str, str]:
    """The scope choices that make sense for this user (no team: only "Mine")."""
    if not queue_team_ids(user=user):
        return {Scope.MINE: Scope.LABELS[Scope.MINE]}
    return dict(Scope.LABELS)


@dataclass(frozen=True)
class Arrivals:
    """New leads in the user's reach since the page was opened: the queue announces them."""

    newest_lead_id: int
    count: int


def queue_arrivals(*, user: User, seen_lead_id: int | None) -> Arrivals:
    """How many leads waiting for a first response arrived in the user's teams (or to the
    user) after `seen_lead_id`, and the newest one's id. One query; lead ids only grow, so
    "after" is a range on the primary key, whatever the size of the table."""
    waiting = Lead.objects.filter(
        Q(owner_id=user.pk) | Q(team_id__in=queue_team_ids(user=user)),
        closed_at__isnull=True,
        first_response_at__isnull=True,
        sla_due_at__isnull=False,
    )
    if seen_lead_id is None:
        newest = waiting.aggregate(newest=Max("pk"))["newest"]
        return Arrivals(newest_lead_id=newest or 0, count=0)
    found = waiting.filter(pk__gt=seen_lead_id).aggregate(newest=Max("pk"), count=Count("pk"))
    return Arrivals(newest_lead_id=found["newest"] or seen_lead_id, count=found["count"])


def working_stages() -> list[PipelineStage]:
    """Stages where intake still has work: open ones before the handoff to scheduling.

    Read from the stage cache and passed to SQL as literal ids: as a subquery,
    PostgreSQL joined the stage table first and gave up reading the queue in index order.
    """
    return [
        stage
        for stage in stage_list_cached()
        if stage.kind == StageKind.OPEN and stage.slug != DefaultStage.SCHEDULED and stage.is_active
    ]


@dataclass(frozen=True)
class _LeadSource:
    """One slice of the queue, and whether its index is keyed by stage after the owner or
    team (the unclaimed leads' own small index is not: it is read in one go)."""

    condition: Q
    by_stage: bool


def _lead_sources(*, user: User, scope: str, team_ids: list[int]) -> list[_LeadSource]:
    """Disjoint slices of the queue, each led by an indexed column (owner or team), so
    every slice (a stage at a time, where its index allows) is read in due-time order."""
    mine = [_LeadSource(Q(owner_id=user.pk), by_stage=True)]
    # Unclaimed leads are few (a partial index of its own), so one slice for all teams:
    # sorting a few hundred rows beats planning a slice per team.
    unclaimed = [_LeadSource(Q(team_id__in=team_ids, owner_id__isnull=True), by_stage=False)]
    if scope == Scope.MINE or not team_ids:
        return mine
    if scope == Scope.UNASSIGNED:
        return unclaimed
    if scope == Scope.TEAMS:
        return [_LeadSource(Q(team_id=team_id), by_stage=True) for team_id in team_ids]
    return mine + unclaimed


def queue_page(
    *,
    user: User,
    filters: QueueFilters,
    cursor: QueueCursor | None = None,
    page_size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
) -> QueuePage:
    """One page of the user's queue: two queries whatever the page size (the merged
    order, then the leads of the page with what a row shows), one more for a search."""
    now = now or timezone.now()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    limit = page_size + 1
    team_ids = queue_team_ids(user=user)
    scope = filters.scope if filters.scope in Scope.LABELS else Scope.ALL
    # "By deadline only" is one stream order for all: every stream in section 0, so the
    # keyset runs on (due time, kind, id) alone.
    flat = filters.sort == QueueSort.DEADLINE

    def section_of(section: int) -> int:
        return 0 if flat else section

    # `stage_id + 0`: the stage must never drive the plan. Matching on its own index, it
    # looked selective to PostgreSQL, which then intersected every lead at that stage
    # with a coordinator's waiting leads instead of reading those in due order.
    working_stage_ids = [stage.pk for stage in working_stages()]
    leads = (
        Lead.objects.alias(stage_not_indexed=F("stage_id") + 0)
        .filter(filters.lead_condition(), closed_at__isnull=True)
        .filter(stage_not_indexed__in=working_stage_ids)
    )
    sources = _lead_sources(user=user, scope=scope, team_ids=team_ids)
    matching_ids = None
    if filters.query:
        # Searched once, up front, among the leads the queue would list (scope, filters,
        # working stages): as a subquery it ran again in every stream (1.1 s for a
        # common surname on 1M leads); as a list of ids each stream just checks it.
        listed = leads.filter(reduce(operator.or_, (source.condition for source in sources)))
        matching_ids = lead_ids_search(leads=listed, query=filters.query, limit=SEARCH_LIMIT)
        leads = leads.alias(in_search=_column_in(Lead, "id", matching_ids)).filter(in_search=True)
        # The ids are in the scope already: one slice, each found lead looked up once
        # per section instead of once per slice and section.
        sources = [_LeadSource(Q(), by_stage=False)]

    # Answered leads are read a working stage at a time, each in the order of its own
    # part of the index: in one due-time order, the leads waiting past intake (scheduled,
    # nurture: most of a coordinator's open leads) came first and were read only to be
    # skipped (bench/README.md, "Queue, second sitting").
    answered_stage_ids = [pk for pk in working_stage_ids if filters.stage_id in (None, pk)]
    lead_parts = []  # (section, leads, whether the due time may be empty)
    for source in sources:
        clock_running = leads.filter(
            source.condition, first_response_at__isnull=True, sla_due_at__isnull=False
        )
        answered = leads.filter(source.condition).filter(
            Q(first_response_at__isnull=False) | Q(sla_due_at__isnull=True)
        )
        for section, running in (
            (SECTION_URGENT, clock_running.filter(urgency=Urgency.URGENT)),
            (SECTION_CLOCK_RUNNING, clock_running.exclude(urgency=Urgency.URGENT)),
        ):
            if filters.urgency and (filters.urgency == Urgency.URGENT) != (
                section == SECTION_URGENT
            ):
                # The urgency filter rules this section out: PostgreSQL would still walk
                # the whole clock index to find no row.
                continue
            lead_parts.append((section, running, False))
        if source.by_stage:
            lead_parts += [
                (SECTION_ANSWERED, answered.filter(stage_id=pk), True) for pk in answered_stage_ids
            ]
        else:
            lead_parts.append((SECTION_ANSWERED, answered, True))
    streams = [
        queue_stream(
            part,
            section=section_of(section),
            kind=KIND_LEAD,
            key="sla_due_at",
            lead="pk",
            limit=limit,
            cursor=cursor,
            nullable=nullable,
        )
        for section, part, nullable in lead_parts
    ]
    if scope in (Scope.ALL, Scope.MINE):
        start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        # A task shows under a search when its lead matches, wherever the lead is.
        task_lead_match = (
            open_lead_match(query=filters.query, prefix="lead__") if filters.query else None
        )
        for section, due in (
            (SECTION_CLOCK_RUNNING, Q(due_at__gte=start_of_day)),
            (SECTION_OLD_TASKS, Q(due_at__lt=start_of_day)),
        ):
            streams.append(
                queue_stream(
                    _tasks_due(
                        user=user,
                        filters=filters,
                        now=now,
                        cursor=cursor,
                        lead_match=task_lead_match,
                        section=section_of(section),
                        due=due,
                    ),
                    section=section_of(section),
                    kind=KIND_TASK,
                    key="due_at",
                    lead="lead_id",
                    limit=limit,
                    cursor=cursor,
                )
            )
    search_cut = matching_ids is not None and len(matching_ids) >= SEARCH_LIMIT
    streams = [stream for stream in streams if stream is not None]
    if not streams:
        return QueuePage(now=now, search_cut=search_cut)
    merged = streams[0].union(*streams[1:], all=True) if len(streams) > 1 else streams[0]
    found = list(merged.order_by("q_section", "q_key", "q_kind", "q_id")[:limit])

    next_cursor = None
    if len(found) > page_size:
        found = found[:page_size]
        section, key, kind, row_id, _, _ = found[-1]
        next_cursor = QueueCursor(section, key, kind, row_id)

    leads_by_id = queue_leads({row[4] for row in found}) if found else {}
    rows = []
    for section, key, kind, row_id, lead_id, task_type in found:
        lead = leads_by_id[lead_id]
        if flat and kind == KIND_LEAD:
            # The row's own section, for its clock state (the page order ignored it).
            answered = lead.first_response_at is not None or lead.sla_due_at is None
            section = SECTION_ANSWERED if answered else SECTION_CLOCK_RUNNING
        row = QueueRow(
            kind=kind,
            section=section,
            lead=lead,
            due_at=key,
            task_id=row_id if kind == KIND_TASK else None,
            task_type=task_type or "",
        )
        row_state_set(row, now=now)
        rows.append(row)
    access_record(
        user=user,
        what="queue search" if filters.query else "queue",
        lead_ids=leads_by_id,
        person_ids=[lead.person_id for lead in leads_by_id.values()],
    )
    return QueuePage(rows=rows, next_cursor=next_cursor, now=now, search_cut=search_cut)


def _tasks_due(
    *,
    user: User,
    filters: QueueFilters,
    now: dt.datetime,
    cursor: QueueCursor | None,
    lead_match: Q | None,
    section: int,
    due: Q,
) -> QuerySet[Activity]:
    """My open follow-up tasks and callbacks on open leads, due by the end of the day
    (and always those of the next few hours, so a late callback shows before midnight).

    Filtering tasks by their lead (the queue's filters, or `lead_match`: a search) means
    a look at the lead per task. Then only the next TASK_SCAN_LIMIT tasks in due order
    are looked at, so a backlog of thousands of open tasks (the benchmark data has
    24,000 for one coordinator) cannot slow the page; no coordinator works through more
    than that in a day.
    """
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    end_of_day = max(end_of_day, now + TASKS_AHEAD_AT_LEAST)
    mine = Activity.objects.filter(
        kind=ActivityKind.TASK,
        completed_at__isnull=True,
        assignee_id=user.pk,
        due_at__lte=end_of_day,
    ).filter(due)
    lead_condition = filters.lead_condition(prefix="lead__")
    if lead_match is None and not lead_condition:
        return mine.filter(lead__closed_at__isnull=True)
    after = keyset_after(
        cursor=cursor, section=section, kind=KIND_TASK, key="due_at", nullable=False
    )
    if after is None:
        return Activity.objects.none()
    window = mine.filter(after).order_by("due_at", "pk").values("pk")[:TASK_SCAN_LIMIT]
    tasks = Activity.objects.filter(lead_condition, pk__in=window, lead__closed_at__isnull=True)
    if lead_match is not None:
        tasks = tasks.filter(lead_match)
    return tasks


def _column_in(model, column: str, ids: list[int]) -> RawSQL:
    """`column = ANY(ids)` with the ids as one array parameter: as `__in`, Django
    compiles each of a search's up to SEARCH_LIMIT ids as a parameter of its own, in
    every stream that uses them. The SQL holds only the model's own table and column
    names; the ids are bound."""
    return RawSQL(  # noqa: S611
        f'"{model._meta.db_table}"."{column}" = ANY(%s)', (ids,), output_field=BooleanField()
    )
