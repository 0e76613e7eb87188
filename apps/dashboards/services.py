"""Writes of the dashboards: keeping the rollups (LeadFact, DailyCounts) in step with leads.

Both refreshes recompute rows from their sources (a lead and its stage changes; a day's
LeadFact rows), never by applying a delta, so running one twice, or two at once, leaves
the same rows. LeadFact rows that did not change are not rewritten.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.dashboards import conditions as c
from apps.dashboards.models import (
    APPOINTMENT_BINS,
    LOST_REASON_CODES,
    RESPONSE_BINS,
    STALL_BINS,
    FactsRefresh,
)
from apps.referrals.outcomes import OUTCOME_SQL

# pg_try_advisory_xact_lock key of the refresh: one refresh at a time, the other skips.
_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"dashboards:lead-facts", digest_size=8).digest(), "big", signed=True
)

_FACT_COLUMNS = (
    "created_at",
    "created_on",
    "service_line_id",
    "location_id",
    "channel",
    "lead_type",
    "referral_source_id",
    "utm_campaign",
    "team_id",
    "owner_id",
    "stage_id",
    "stage_kind",
    "stage_entered_at",
    "closed_at",
    "lost_reason",
    "furthest_position",
    "first_response_at",
    "response_seconds",
    "sla_due_at",
    "appointment_at",
    "days_to_appointment",
    "referral_feedback_sent_at",
)

# One statement per batch of leads: replay the stage changes of the leads chosen by
# {leads_where} and upsert their rows. `furthest_position` is the furthest open or won
# stage ever entered, or the current one (leads loaded in bulk may lack the history),
# and at least the first stage: every lead came in at New.
_UPSERT_SQL = """
WITH chosen AS (
    SELECT l.id FROM leads_lead l WHERE {leads_where}
), reached AS (
    SELECT a.lead_id, max(s.position) AS furthest
    FROM leads_activity a
    JOIN pipeline_pipelinestage s ON s.id = a.to_stage_id AND s.kind IN ('open', 'won')
    WHERE a.kind = 'stage_change' {activity_where}
    GROUP BY a.lead_id
)
INSERT INTO dashboards_leadfact (lead_id, {columns})
SELECT
    l.id, l.created_at, (l.created_at AT TIME ZONE %(tz)s)::date, l.service_line_id,
    l.location_id, l.channel, l.lead_type, l.referral_source_id, l.utm_campaign, l.team_id,
    l.owner_id, l.stage_id, cs.kind, l.stage_entered_at, l.closed_at, l.lost_reason,
    GREATEST(
        COALESCE(r.furthest, 0),
        CASE WHEN cs.kind IN ('open', 'won') THEN cs.position ELSE 0 END,
        (SELECT min(s.position) FROM pipeline_pipelinestage s WHERE s.kind IN ('open', 'won'))
    ),
    l.first_response_at, floor(date_part('epoch', l.first_response_at - l.created_at))::int,
    l.sla_due_at, l.appointment_at,
    date_part('epoch', l.appointment_at - l.created_at) / 86400.0,
    l.referral_feedback_sent_at
FROM leads_lead l
JOIN chosen c ON c.id = l.id
JOIN pipeline_pipelinestage cs ON cs.id = l.stage_id
LEFT JOIN reached r ON r.lead_id = l.id
WHERE l.merged_into_id IS NULL
ON CONFLICT (lead_id) DO UPDATE SET {assignments}
WHERE ({current}) IS DISTINCT FROM ({excluded})
{returning}
"""

_DELETE_GONE_SQL = """
DELETE FROM dashboards_leadfact f
WHERE {facts_where} AND NOT EXISTS (
    SELECT 1 FROM leads_lead l WHERE l.id = f.lead_id AND l.merged_into_id IS NULL
)
{returning}
"""

_FUNNEL_POSITIONS_SQL = """
SELECT coalesce(array_agg(s.position ORDER BY s.position), '{}')
FROM pipeline_pipelinestage s WHERE s.is_active AND s.kind IN ('open', 'won')
"""


def _upsert_sql(*, leads_where: str, activity_where: str, returning: str = "") -> str:
    return _UPSERT_SQL.format(
        leads_where=leads_where,
        activity_where=activity_where,
        columns=", ".join(_FACT_COLUMNS),
        assignments=", ".join(f"{name} = EXCLUDED.{name}" for name in _FACT_COLUMNS),
        current=", ".join(f"dashboards_leadfact.{name}" for name in _FACT_COLUMNS),
        excluded=", ".join(f"EXCLUDED.{name}" for name in _FACT_COLUMNS),
        returning=returning,
    )


@transaction.atomic
def lead_facts_refresh(*, now: dt.datetime | None = None) -> int | None:
    """Recompute the rows of leads created or touched (any new activity) since the run
    before last, and the daily counts of their days; returns how many lead rows were
    written or removed, or None if another refresh holds the lock. The first run, or one
    after the leads were reloaded, rebuilds everything.

    Side effects: rewrites LeadFact and DailyCounts rows and the FactsRefresh row.
    """
    now = now or timezone.now()
    if not _lock_try():
        return None
    state = _state_for_update()
    with connection.cursor() as cursor:
        max_activity_id, max_lead_id = _max_ids(cursor)
        reloaded = max_activity_id < state.activity_watermark or max_lead_id < state.lead_watermark
        if state.rebuilt_at is None or reloaded:
            written = _rebuild_all(cursor, state=state)
            state.rebuilt_at = now
            state.previous_activity_watermark = state.activity_watermark = max_activity_id
            state.previous_lead_watermark = state.lead_watermark = max_lead_id
        else:
            written = _refresh_touched(
                cursor,
                state=state,
                activities_after=state.previous_activity_watermark,
                activities_upto=max_activity_id,
                leads_after=state.previous_lead_watermark,
                leads_upto=max_lead_id,
            )
            state.previous_activity_watermark = state.activity_watermark
            state.activity_watermark = max_activity_id
            state.previous_lead_watermark = state.lead_watermark
            state.lead_watermark = max_lead_id
    state.refreshed_at = now
    state.rows_written = written
    state.save()
    return written


@transaction.atomic
def lead_facts_rebuild(*, now: dt.datetime | None = None) -> int | None:
    """Recompute every lead's row and every day's counts, and drop rows of leads merged
    or deleted (nightly). Catches what the minute refresh cannot see: an edit that logs
    no activity (a service line corrected on the lead) or a transaction that committed
    very late. Returns the number of lead rows written or removed, or None if a refresh
    holds the lock.

    Side effects: rewrites LeadFact and DailyCounts rows and the FactsRefresh row.
    """
    now = now or timezone.now()
    if not _lock_try():
        return None
    state = _state_for_update()
    with connection.cursor() as cursor:
        max_activity_id, max_lead_id = _max_ids(cursor)
        written = _rebuild_all(cursor, state=state)
    state.rebuilt_at = state.refreshed_at = now
    state.previous_activity_watermark = state.activity_watermark = max_activity_id
    state.previous_lead_watermark = state.lead_watermark = max_lead_id
    state.rows_written = written
    state.save()
    return written


def _state_for_update() -> FactsRefresh:
    FactsRefresh.objects.get_or_create(pk=1)
    return FactsRefresh.objects.select_for_update().get(pk=1)


def _max_ids(cursor) -> tuple[int, int]:
    cursor.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM leads_activity),"
        " (SELECT coalesce(max(id), 0) FROM leads_lead)"
    )
    return cursor.fetchone()


def _rebuild_all(cursor, *, state: FactsRefresh) -> int:
    # A rebuild sorts and hashes a million rows: give it room for this transaction only.
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(_upsert_sql(leads_where="TRUE", activity_where=""), {"tz": settings.TIME_ZONE})
    written = cursor.rowcount
    cursor.execute(_DELETE_GONE_SQL.format(facts_where="TRUE", returning=""))
    written += cursor.rowcount
    _bin_edges_choose(cursor, state=state)
    _daily_counts_rebuild(cursor, state=state, days=None)
    return written


def _refresh_touched(
    cursor,
    *,
    state: FactsRefresh,
    activities_after: int,
    activities_upto: int,
    leads_after: int,
    leads_upto: int,
) -> int:
    # Both id ranges are read through their primary keys: a handful of rows a minute.
    touched = (
        "SELECT a2.lead_id FROM leads_activity a2"
        " WHERE a2.id > %(activities_after)s AND a2.id <= %(activities_upto)s"
        " UNION SELECT l2.id FROM leads_lead l2"
        " WHERE l2.id > %(leads_after)s AND l2.id <= %(leads_upto)s"
    )
    params = {
        "tz": settings.TIME_ZONE,
        "activities_after": activities_after,
        "activities_upto": activities_upto,
        "leads_after": leads_after,
        "leads_upto": leads_upto,
    }
    cursor.execute(
        _upsert_sql(
            leads_where=f"l.id IN ({touched})",
            activity_where=f"AND a.lead_id IN ({touched})",
            returning="RETURNING created_on",
        ),
        params,
    )
    changed = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        _DELETE_GONE_SQL.format(
            facts_where=f"f.lead_id IN ({touched})", returning="RETURNING f.created_on"
        ),
        params,
    )
    removed = [row[0] for row in cursor.fetchall()]
    cursor.execute(_FUNNEL_POSITIONS_SQL)
    layout_changed = cursor.fetchone()[0] != state.funnel_positions or state.lost_reasons != list(
        LOST_REASON_CODES
    )
    edges = (state.response_edges, state.appointment_edges, state.stall_edges)
    if tuple(map(len, edges)) != (RESPONSE_BINS, APPOINTMENT_BINS, STALL_BINS):
        # Rollups built before these bins existed, or with other numbers of them.
        _bin_edges_choose(cursor, state=state)
        layout_changed = True
    if layout_changed:
        _daily_counts_rebuild(cursor, state=state, days=None)
    elif changed or removed:
        _daily_counts_rebuild(cursor, state=state, days=sorted(set(changed) | set(removed)))
    return len(changed) + len(removed)


def _daily_counts_rebuild(cursor, *, state: FactsRefresh, days: list[dt.date] | None) -> None:
    """Recount the given days (None: every day) from LeadFact, against the funnel as it
    is now, and remember that funnel and the reason codes in `state`."""
    cursor.execute(_FUNNEL_POSITIONS_SQL)
    positions = list(cursor.fetchone()[0])
    params: dict = {f"p{i}": position for i, position in enumerate(positions)}
    params.update({f"lr{j}": code for j, code in enumerate(LOST_REASON_CODES)})
    reached = _int_array(
        f"count(*) FILTER (WHERE f.furthest_position >= %(p{i})s)" for i in range(len(positions))
    )
    lost = _int_array(
        f"count(*) FILTER (WHERE f.stage_kind = 'lost' AND f.lost_reason = %(lr{j})s)"
        for j in range(len(LOST_REASON_CODES))
    )
    on_days = "TRUE"
    if days is not None:
        on_days, params["days"] = "{day} = ANY(%(days)s)", days
    # DELETE, not TRUNCATE: readers keep seeing the old counts until this commits.
    for table in ("dashboards_dailycounts", "dashboards_dailylinecounts"):
        cursor.execute(
            f"DELETE FROM {table} WHERE {on_days.format(day='day')}",  # noqa: S608
            params,
        )
    cursor.execute(
        f"""
        INSERT INTO dashboards_dailycounts (day, service_line_id, location_id, channel,
            lead_type, utm_campaign, leads, reached, lost)
        SELECT f.created_on, f.service_line_id, f.location_id, f.channel, f.lead_type,
            f.utm_campaign, count(*), {reached}, {lost}
        FROM dashboards_leadfact f WHERE {on_days.format(day="f.created_on")}
        GROUP BY 1, 2, 3, 4, 5, 6
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    reached_sums = _int_array(f"sum(d.reached[{i + 1}])" for i in range(len(positions)))
    lost_sums = _int_array(f"sum(d.lost[{j + 1}])" for j in range(len(LOST_REASON_CODES)))
    cursor.execute(
        f"""
        INSERT INTO dashboards_dailylinecounts (day, service_line_id, channel, utm_campaign,
            leads, reached, lost)
        SELECT d.day, d.service_line_id, d.channel, d.utm_campaign, sum(d.leads),
            {reached_sums}, {lost_sums}
        FROM dashboards_dailycounts d WHERE {on_days.format(day="d.day")}
        GROUP BY 1, 2, 3, 4
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    _rollups_rebuild(cursor, state=state, days=days)
    state.funnel_positions = positions
    state.lost_reasons = list(LOST_REASON_CODES)


def _bin_edges_choose(cursor, *, state: FactsRefresh) -> None:
    """Choose the lower bounds of the bins of response times, days to appointment and
    times open leads entered their stage: evenly spaced quantiles of all the values, so
    each bin holds about as many leads. Equal edges leave empty bins (harmless); the
    first edge is below any value."""
    cursor.execute(
        "SELECT percentile_disc(%(r)s::float8[]) WITHIN GROUP (ORDER BY f.response_seconds)"  # noqa: S608
        " FILTER (WHERE f.response_seconds IS NOT NULL),"
        " percentile_disc(%(a)s::float8[]) WITHIN GROUP (ORDER BY f.days_to_appointment)"
        f" FILTER (WHERE {c.REFERRED} AND {c.DAYS_TO_APPOINTMENT} IS NOT NULL),"
        " percentile_disc(%(s)s::float8[]) WITHIN GROUP (ORDER BY f.stage_entered_at)"
        f" FILTER (WHERE {c.OPEN})"
        " FROM dashboards_leadfact f",
        {name: [i / bins for i in range(1, bins)] for name, bins in _BINS.items()},
    )
    response, appointment, stall = cursor.fetchone()
    state.response_edges = _edges(c.SMALLEST_SECONDS, response, RESPONSE_BINS)
    state.appointment_edges = _edges(float("-inf"), appointment, APPOINTMENT_BINS)
    state.stall_edges = _edges(c.EARLIEST_ENTERED, stall, STALL_BINS)


_BINS = {"r": RESPONSE_BINS, "a": APPOINTMENT_BINS, "s": STALL_BINS}


def _edges(smallest, quantiles: list | None, bins: int) -> list:
    """`bins` lower bounds, ascending: `smallest`, then the quantiles (missing ones, when
    there were no values, as `smallest`)."""
    edges = [smallest]
    for value in quantiles or [None] * (bins - 1):
        edges.append(max(edges[-1], value if value is not None else smallest))
    return edges


def _rollups_rebuild(cursor, *, state: FactsRefresh, days: list[dt.date] | None) -> None:
    """Recount ResponseDaily, ReferralDaily and StallDaily for the given days (None:
    every day) from LeadFact."""
    _three_level_rebuild(
        cursor,
        table="dashboards_responsedaily",
        keys=("team_id", "owner_id"),
        rows_where="TRUE",
        counts={
            "leads": "TRUE",
            "answered": c.ANSWERED,
            "sla_met": c.SLA_MET,
            "answered_late": c.ANSWERED_LATE,
            "unanswered_due": c.UNANSWERED_DUE,
        },
        buckets=[c.response_bucket(bucket) for bucket in c.RESPONSE_BUCKETS],
        binned=c.RESPONSE_SECONDS,
        edges=(state.response_edges, "integer[]"),
        days=days,
    )
    _three_level_rebuild(
        cursor,
        table="dashboards_referraldaily",
        keys=("referral_source_id",),
        rows_where=c.REFERRED,
        counts={"referrals": "TRUE", **REFERRAL_COUNTS},
        buckets=None,
        binned=c.DAYS_TO_APPOINTMENT,
        edges=(state.appointment_edges, "float8[]"),
        days=days,
    )
    _three_level_rebuild(
        cursor,
        table="dashboards_stalldaily",
        keys=("stage_id",),
        rows_where=c.OPEN,
        counts={"leads": "TRUE"},
        buckets=None,
        binned="f.stage_entered_at",
        edges=(state.stall_edges, "timestamptz[]"),
        days=days,
    )


# What ReferralDaily counts per referred lead: the referral outcomes as the source
# profile counts them (one definition, apps.referrals.figures).
REFERRAL_COUNTS = OUTCOME_SQL


def _three_level_rebuild(
    cursor,
    *,
    table: str,
    keys: tuple[str, ...],
    rows_where: str,
    counts: dict[str, str],
    buckets: list[str] | None,
    binned: str,
    edges: tuple[list, str],
    days: list[dt.date] | None,
) -> None:
    """Recount one of the three-level rollups for the given days (None: every day): the
    finest level (2: day, `keys`, service line, location, channel, lead type) from the
    LeadFact rows matching `rows_where`, the coarser ones (1: without location and lead
    type; 0: day and `keys` only) from it. `counts` are count(*) FILTER conditions,
    `buckets` those of the `buckets` array, and `bins` counts `binned` per bin of `edges`.
    """
    edge_values, edge_type = edges
    params: dict = {"edges": edge_values}
    on_days = "TRUE"
    if days is not None:
        on_days, params["days"] = "{day} = ANY(%(days)s)", days
    cursor.execute(
        f"DELETE FROM {table} WHERE {on_days.format(day='day')}",  # noqa: S608
        params,
    )
    dimensions = ("service_line_id", "location_id", "channel", "lead_type")
    arrays = ["bins"] + (["buckets"] if buckets is not None else [])
    columns = ", ".join(["level", "day", *keys, *dimensions, *counts, *arrays])
    bins = len(edge_values)
    finest = [f"count(*) FILTER (WHERE {condition})" for condition in counts.values()]
    finest.append(_int_array(f"count(*) FILTER (WHERE f.bin = {i + 1})" for i in range(bins)))
    if buckets is not None:
        finest.append(_int_array(f"count(*) FILTER (WHERE {b})" for b in buckets))
    cursor.execute(
        f"""
        INSERT INTO {table} ({columns})
        SELECT 2, f.created_on, {", ".join(f"f.{key}" for key in (*keys, *dimensions))},
            {", ".join(finest)}
        FROM (
            SELECT f.*, width_bucket({binned}, %(edges)s::{edge_type}) AS bin
            FROM dashboards_leadfact f
            WHERE {rows_where} AND {on_days.format(day="f.created_on")}
        ) f
        GROUP BY {", ".join(str(i) for i in range(2, 3 + len(keys) + len(dimensions)))}
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    sums = [f"sum(r.{name})" for name in counts]
    sums.append(_int_array(f"sum(r.bins[{i + 1}])" for i in range(bins)))
    if buckets is not None:
        sums.append(_int_array(f"sum(r.buckets[{i + 1}])" for i in range(len(buckets))))
    key_columns = ", ".join(f"r.{key}" for key in keys)
    cursor.execute(
        f"""
        INSERT INTO {table} ({columns})
        SELECT 1 - GROUPING(r.service_line_id), r.day, {key_columns},
            r.service_line_id, NULL, COALESCE(r.channel, ''), '', {", ".join(sums)}
        FROM {table} r
        WHERE r.level = 2 AND {on_days.format(day="r.day")}
        GROUP BY GROUPING SETS (
            (r.day, {key_columns}),
            (r.day, {key_columns}, r.service_line_id, r.channel)
        )
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )


def _int_array(items) -> str:
    items = list(items)
    return f"ARRAY[{', '.join(items)}]::integer[]" if items else "'{}'::integer[]"


def _lock_try() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        return cursor.fetchone()[0]
