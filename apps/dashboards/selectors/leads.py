"""The drill-down: the leads behind one number, a page at a time or as CSV."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from apps.accounts.models import User
from apps.accounts.selectors import user_sees_all_leads
from apps.audit.services import access_record
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.query import cohort_where, fetch_all
from apps.dashboards.selectors.base import (
    now_or,
)
from apps.leads.models import Lead
from apps.leads.selectors import lead_visible_to


@dataclass(frozen=True)
class DrillCondition:
    """The extra condition of one number: SQL over `f` with its parameters, and what
    it means in words."""

    sql: str = "TRUE"
    params: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class LeadsPage:
    leads: list[Lead]
    next_cursor: str  # "" on the last page


PAGE_SIZE = 50


def dashboard_leads_page(
    *,
    user: User,
    filters: DashboardFilters,
    condition: DrillCondition,
    cursor: tuple[dt.datetime, int] | None = None,
    page_size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
) -> LeadsPage:
    """The leads behind one number, newest first, a page at a time (keyset paging on
    the rollup's (created_at, lead) index: no COUNT, no OFFSET). Two queries per page.
    Leads the user may not see are left out."""
    where, params = cohort_where(filters, now=now_or(now))
    params.update(condition.params, limit=page_size + 1)
    after = ""
    if cursor:
        after = "AND (f.created_at, f.lead_id) < (%(cursor_at)s, %(cursor_id)s)"
        params.update(cursor_at=cursor[0], cursor_id=cursor[1])
    rows = fetch_all(
        f"""
        SELECT f.lead_id, f.created_at FROM dashboards_leadfact f
        WHERE {where} AND ({condition.sql}) {after}
        ORDER BY f.created_at DESC, f.lead_id DESC
        LIMIT %(limit)s
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    ids = [row["lead_id"] for row in rows]
    found = {
        lead.pk: lead
        for lead in lead_visible_to(user=user)
        .filter(pk__in=ids)
        .select_related("person", "service_line", "location", "stage", "owner")
    }
    next_cursor = ""
    if more and rows:
        last = rows[-1]
        next_cursor = f"{int(last['created_at'].timestamp() * 1_000_000)}-{last['lead_id']}"
    shown = [found[pk] for pk in ids if pk in found]
    access_record(
        user=user,
        what="dashboard drill-down",
        lead_ids=[lead.pk for lead in shown],
        person_ids=[lead.person_id for lead in shown],
    )
    return LeadsPage(leads=shown, next_cursor=next_cursor)


EXPORT_BATCH = 2000


def dashboard_leads_export(
    *,
    user: User,
    filters: DashboardFilters,
    condition: DrillCondition,
    limit: int,
    now: dt.datetime | None = None,
) -> Iterator[tuple]:
    """The leads behind one number for CSV, newest first, without names: lead id, came
    in at, service line, channel, lead type, current stage, campaign. Read in keyset
    batches while the response streams, so memory stays flat."""
    if not user_sees_all_leads(user=user):
        # The dashboards are for managers and admins, who see every lead; anyone else
        # gets nothing rather than a list scoped differently from the numbers.
        return
    where, params = cohort_where(filters, now=now_or(now))
    params.update(condition.params, batch=EXPORT_BATCH)
    after, sent = "", 0
    while sent < limit:
        rows = fetch_all(
            f"""
            SELECT f.lead_id, f.created_at, sl.slug AS line, f.channel, f.lead_type,
                s.slug AS stage, f.utm_campaign
            FROM dashboards_leadfact f
            JOIN servicelines_serviceline sl ON sl.id = f.service_line_id
            JOIN pipeline_pipelinestage s ON s.id = f.stage_id
            WHERE {where} AND ({condition.sql}) {after}
            ORDER BY f.created_at DESC, f.lead_id DESC
            LIMIT %(batch)s
            """,  # noqa: S608 - our SQL fragments; values are bound parameters
            params,
        )
        batch = rows[: limit - sent]
        # Each batch recorded before it is sent: the log names every exported row.
        access_record(
            user=user, what="lead export (CSV)", lead_ids=[row["lead_id"] for row in batch]
        )
        for row in batch:
            yield (
                row["lead_id"],
                row["created_at"].isoformat(),
                row["line"],
                row["channel"],
                row["lead_type"],
                row["stage"],
                row["utm_campaign"],
            )
        sent += len(rows)
        if len(rows) < EXPORT_BATCH:
            return
        after = "AND (f.created_at, f.lead_id) < (%(cursor_at)s, %(cursor_id)s)"
        params.update(cursor_at=rows[-1]["created_at"], cursor_id=rows[-1]["lead_id"])
