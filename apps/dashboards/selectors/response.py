"""Response time: medians, 90th percentiles, the SLA and a histogram."""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from apps.dashboards import conditions as c
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import RESPONSE_BINS
from apps.dashboards.query import (
    cohort_where,
    fetch_all,
    one_decimal,
    percentile_cont_between,
    rate,
    rollup_where,
    values_at_ranks,
)
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


PERCENTILES = (0.5, 0.9)  # the median and the 90th percentile


def dashboard_response_times(
    *, filters: DashboardFilters, now: dt.datetime | None = None
) -> ResponseTimes:
    """Median and 90th percentile of the time to first response, the share answered
    within the SLA and a histogram; for all leads, per team and per owner.

    Two statements. The first sums the daily rollup (ResponseDaily): the counts, and how
    many answered leads fall in each response-time bin. From those, each percentile's
    rank is placed in one bin; the second statement reads, per group and percentile,
    only that bin's LeadFact rows in order from an index, up to the rank. The medians and
    90th percentiles are therefore exactly percentile_cont's over every answered lead
    (interpolated between the two times around the rank), never a bin's estimate.
    """
    where, params = cohort_where(filters, now=now_or(now))
    source, source_params = response_source(filters, where=where)
    params.update(source_params)
    counts = ["leads", "answered", "sla_met", "answered_late", "unanswered_due", "pending"]
    counts += [f"k{i}" for i in range(len(c.RESPONSE_BUCKETS))]
    counts += [f"h{i}" for i in range(RESPONSE_BINS)]
    per_owner_sums = "".join(f", sum(src.{name}) AS {name}" for name in counts if name != "pending")
    rows = fetch_all(
        f"""
        WITH per_owner AS (
            SELECT src.team_id, src.owner_id, 0 AS pending {per_owner_sums}
            FROM ({source}) src
            GROUP BY src.team_id, src.owner_id
            UNION ALL
            -- Leads still inside their response window, as of now: few, from their index.
            SELECT f.team_id, f.owner_id, count(*) {", 0" * (len(counts) - 1)}
            FROM dashboards_leadfact f
            WHERE {where} AND {c.SLA_PENDING}
            GROUP BY f.team_id, f.owner_id
        ), counted AS (
            SELECT GROUPING(p.team_id) AS all_teams, GROUPING(p.owner_id) AS all_owners,
                p.team_id, p.owner_id
                {"".join(f", COALESCE(sum(p.{name}), 0)::int AS {name}" for name in counts)}
            FROM per_owner p
            GROUP BY GROUPING SETS ((), (p.team_id), (p.owner_id))
        )
        SELECT k.*, t.name AS team_name, u.first_name, u.last_name, u.username,
            (SELECT r.response_edges FROM dashboards_factsrefresh r WHERE r.id = 1) AS edges
        FROM counted k
        LEFT JOIN teams_team t ON t.id = k.team_id
        LEFT JOIN accounts_user u ON u.id = k.owner_id
        """,  # noqa: S608 - our SQL fragments; values are bound parameters
        params,
    )
    percentiles = response_percentiles(rows, where=where, params=params)
    total, by_team, by_owner = None, [], []
    for index, row in enumerate(rows):
        row["percentiles"] = percentiles.get(index)
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
    # A group whose leads are all pending has a row from the pending part alone.
    by_team = [r for r in by_team if r.leads]
    by_owner = [r for r in by_owner if r.leads]
    return ResponseTimes(
        total=total,
        by_team=sorted(by_team, key=lambda r: (-r.leads, r.label)),
        by_owner=sorted(by_owner, key=lambda r: (-r.leads, r.label)),
    )


def response_source(filters: DashboardFilters, *, where: str) -> tuple[str, dict]:
    """A relation with team_id, owner_id and the summed columns (leads, answered, sla_met,
    answered_late, unanswered_due, k0.. per RESPONSE_BUCKETS, h0.. per bin), narrowed to
    the period and filters: ResponseDaily rows at the coarsest level the filters allow,
    or, with a referral source chosen (the rollup has none), that source's LeadFact rows.
    """
    buckets, bins = range(len(c.RESPONSE_BUCKETS)), range(RESPONSE_BINS)
    if filters.referral_source_id:
        # Counted per (team, owner, bin) first, then spread over the h columns: the
        # 64 bin columns are built for a few thousand groups instead of every lead of a
        # busy source (tens of thousands a year; the figures are in commit 291c6cc).
        edges = "(SELECT r.response_edges FROM dashboards_factsrefresh r WHERE r.id = 1)"
        counts = {
            "answered": c.ANSWERED,
            "sla_met": c.SLA_MET,
            "answered_late": c.ANSWERED_LATE,
            "unanswered_due": c.UNANSWERED_DUE,
        }
        counts.update(
            (f"k{i}", c.response_bucket(bucket)) for i, bucket in enumerate(c.RESPONSE_BUCKETS)
        )
        counted = "".join(
            f", count(*) FILTER (WHERE {condition}) AS {name}" for name, condition in counts.items()
        )
        # A group's leads all share its bin; unanswered ones have none (NULL: no column).
        spread = "".join(f", (g.bin = {i + 1})::int * g.leads AS h{i}" for i in bins)
        return (
            f"SELECT g.team_id, g.owner_id, g.leads, g.{', g.'.join(counts)}{spread}"  # noqa: S608
            " FROM (SELECT f.team_id, f.owner_id, width_bucket(f.response_seconds,"
            f" COALESCE({edges}, ARRAY[{c.SMALLEST_SECONDS}])) AS bin, count(*) AS leads"
            f"{counted} FROM dashboards_leadfact f WHERE {where} GROUP BY 1, 2, 3) g"
        ), {}
    rollup, params = rollup_where(filters)
    columns = "".join(f", r.buckets[{i + 1}] AS k{i}" for i in buckets)
    columns += "".join(f", r.bins[{i + 1}] AS h{i}" for i in bins)
    return (
        "SELECT r.team_id, r.owner_id, r.leads, r.answered, r.sla_met, r.answered_late,"  # noqa: S608
        f" r.unanswered_due{columns} FROM dashboards_responsedaily r"
        f" WHERE {rollup}"
    ), params


# The rows of one group in response-time order, from the index that has them in that
# order (LeadFact.Meta): all leads, a team's, the leads of no team, an owner's, no owner's.
_GROUP_CONDITIONS = (
    "TRUE",
    "f.team_id = q.group_id",
    "f.team_id IS NULL",
    "f.owner_id = q.group_id",
    "f.owner_id IS NULL",
)


def response_percentiles(rows: list[dict], *, where: str, params: dict) -> dict[int, list]:
    """Per row of `rows` (by index) with answered leads: [median, p90] in seconds, as
    percentile_cont computes them. Reads, for each rank, the times from the first of
    the bin holding it onwards, skipping the ones before it: one statement."""
    lookups = []  # (row index, percentile, position, kind, group id, lower bound, skip)
    for index, row in enumerate(rows):
        answered = row["answered"]
        if not answered:
            continue
        if row["all_teams"] and row["all_owners"]:
            kind, group_id = 0, None
        elif not row["all_teams"]:
            kind, group_id = (1, row["team_id"]) if row["team_id"] else (2, None)
        else:
            kind, group_id = (3, row["owner_id"]) if row["owner_id"] else (4, None)
        counts = [row[f"h{i}"] for i in range(RESPONSE_BINS)]
        edges = row["edges"] or []
        for fraction in PERCENTILES:
            position = fraction * (answered - 1)
            rank = math.floor(position)
            below = 0
            for i, count in enumerate(counts):  # 64 bins at most
                if rank < below + count:
                    lower = edges[i] if i < len(edges) else c.SMALLEST_SECONDS
                    lookups.append((index, fraction, position, kind, group_id, lower, rank - below))
                    break
                below += count
    if not lookups:
        return {}
    seconds = values_at_ranks(
        column=c.RESPONSE_SECONDS,
        groups=_GROUP_CONDITIONS,
        lookups=[(kind, group_id, lower, skip) for *_rank, kind, group_id, lower, skip in lookups],
        where=where,
        params=params,
        lower_type="int",
    )
    results: dict[int, list] = {}
    for number, (index, _fraction, position, *_rest) in enumerate(lookups, start=1):
        values = seconds.get(number) or []
        results.setdefault(index, []).append(percentile_cont_between(position, values))
    return results


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
        # Missed: answered late, or unanswered and due before now (not still pending).
        sla_missed=row["answered_late"] + row["unanswered_due"] - row["pending"],
        sla_pending=row["pending"],
        buckets=[row[f"k{i}"] for i in range(len(c.RESPONSE_BUCKETS))],
    )
