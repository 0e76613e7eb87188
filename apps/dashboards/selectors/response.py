"""Response time: medians, 90th percentiles, the SLA and a histogram."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.query import cohort_where, fetch_all, one_decimal, rate
from apps.dashboards.selectors.base import (
    now_or,
)


@dataclass(frozen=True)
class ResponseFigures:
    """Time to first response of a group of leads, in minutes."""

    key: str  # "" for all leads; a team or user id; "none" for leads without one
    label: str
    leads: int
    answered: int
    median_minutes: Decimal | None
    p90_minutes: Decimal | None
    sla_met: int
    sla_missed: int
    sla_pending: int
    buckets: list[int] = field(default_factory=list)  # per RESPONSE_BUCKETS

    @property
    def unanswered(self) -> int:
        return self.leads - self.answered

    @property
    def within_sla_rate(self) -> Decimal | None:
        """Answered within the SLA, of the leads whose response clock has ended."""
        return rate(self.sla_met, self.sla_met + self.sla_missed)


@dataclass(frozen=True)
class ResponseTimes:
    total: ResponseFigures
    by_team: list[ResponseFigures]
    by_owner: list[ResponseFigures]


def dashboard_response_times(
    *, filters: DashboardFilters, now: dt.datetime | None = None
) -> ResponseTimes:
    """Median and 90th percentile of the time to first response, the share answered
    within the SLA and a histogram; for all leads, per team and per owner."""
    where, params = cohort_where(filters, now=now_or(now))
    counts = ["leads", "answered", "sla_met", "sla_missed", "sla_pending"]
    counts += [f"b{i}" for i in range(len(c.RESPONSE_BUCKETS))]
    buckets = "".join(
        f", count(*) FILTER (WHERE {c.response_bucket(b)}) AS b{i}"
        for i, b in enumerate(c.RESPONSE_BUCKETS)
    )
    rows = fetch_all(
        f"""
        WITH per_owner AS (
            -- The counts: one parallel pass into a few dozen (team, owner) groups.
            SELECT f.team_id, f.owner_id, count(*) AS leads,
                count(*) FILTER (WHERE {c.ANSWERED}) AS answered,
                count(*) FILTER (WHERE {c.SLA_MET}) AS sla_met,
                count(*) FILTER (WHERE {c.SLA_MISSED}) AS sla_missed,
                count(*) FILTER (WHERE {c.SLA_PENDING}) AS sla_pending
                {buckets}
            FROM dashboards_leadfact f WHERE {where}
            GROUP BY f.team_id, f.owner_id
        ), counted AS (
            SELECT GROUPING(p.team_id) AS all_teams, GROUPING(p.owner_id) AS all_owners,
                p.team_id, p.owner_id
                {"".join(f", COALESCE(sum(p.{name}), 0)::int AS {name}" for name in counts)}
            FROM per_owner p
            GROUP BY GROUPING SETS ((), (p.team_id), (p.owner_id))
        )
        SELECT k.*, t.name AS team_name, u.first_name, u.last_name, u.username
        FROM counted k
        LEFT JOIN teams_team t ON t.id = k.team_id
        LEFT JOIN accounts_user u ON u.id = k.owner_id
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    # Exact percentiles need the answered leads' times themselves, sorted: each grouping
    # reads them in order from its own index (see LeadFact.Meta), and the three run side
    # by side in parallel workers, which they do only as a statement of their own.
    spread = fetch_all(
        f"""
            SELECT 1 AS all_teams, 1 AS all_owners, NULL::bigint AS team_id,
                NULL::bigint AS owner_id,
                percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY o.seconds) AS percentiles
            FROM (
                SELECT {c.RESPONSE_SECONDS} AS seconds FROM dashboards_leadfact f
                WHERE {where} AND {c.RESPONSE_SECONDS} IS NOT NULL
                ORDER BY {c.RESPONSE_SECONDS}
            ) o
            UNION ALL
            SELECT 0, 1, o.team_id, NULL,
                percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY o.seconds)
            FROM (
                SELECT f.team_id, {c.RESPONSE_SECONDS} AS seconds FROM dashboards_leadfact f
                WHERE {where} AND {c.RESPONSE_SECONDS} IS NOT NULL
                ORDER BY f.team_id, {c.RESPONSE_SECONDS}
            ) o
            GROUP BY o.team_id
            UNION ALL
            SELECT 1, 0, NULL, o.owner_id,
                percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY o.seconds)
            FROM (
                SELECT f.owner_id, {c.RESPONSE_SECONDS} AS seconds FROM dashboards_leadfact f
                WHERE {where} AND {c.RESPONSE_SECONDS} IS NOT NULL
                ORDER BY f.owner_id, {c.RESPONSE_SECONDS}
            ) o
            GROUP BY o.owner_id
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
        work_mem="256MB",
    )
    percentiles = {
        (row["all_teams"], row["all_owners"], row["team_id"], row["owner_id"]): row["percentiles"]
        for row in spread
    }
    for row in rows:
        key = (row["all_teams"], row["all_owners"], row["team_id"], row["owner_id"])
        row["percentiles"] = percentiles.get(key)
    total, by_team, by_owner = None, [], []
    for row in rows:
        if row["all_teams"] and row["all_owners"]:
            total = _response_figures(row, key="", label="All leads")
        elif not row["all_teams"]:
            team_id = row["team_id"]
            by_team.append(
                _response_figures(
                    row,
                    key=str(team_id) if team_id else "none",
                    label=row["team_name"] or "No team",
                )
            )
        else:
            owner_id = row["owner_id"]
            name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
            by_owner.append(
                _response_figures(
                    row,
                    key=str(owner_id) if owner_id else "none",
                    label=(name or row["username"]) if owner_id else "No owner",
                )
            )
    return ResponseTimes(
        total=total,
        by_team=sorted(by_team, key=lambda r: (-r.leads, r.label)),
        by_owner=sorted(by_owner, key=lambda r: (-r.leads, r.label)),
    )


def _response_figures(row: dict, *, key: str, label: str) -> ResponseFigures:
    median, p90 = (
        seconds / 60 if seconds is not None else None
        for seconds in row["percentiles"] or (None, None)
    )
    return ResponseFigures(
        key=key,
        label=label,
        leads=row["leads"],
        answered=row["answered"],
        median_minutes=one_decimal(median),
        p90_minutes=one_decimal(p90),
        sla_met=row["sla_met"],
        sla_missed=row["sla_missed"],
        sla_pending=row["sla_pending"],
        buckets=[row[f"b{i}"] for i in range(len(c.RESPONSE_BUCKETS))],
    )
