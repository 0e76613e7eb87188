"""Each panel's figures laid out as tables (what the page shows under each chart and what
the CSV exports) and as chart series. Every number carries the link to the list of
leads behind it: the page's filters plus the number's own condition."""

from django.utils.formats import date_format

from apps.dashboards import conditions as c
from apps.dashboards import selectors as s
from apps.dashboards.tables.base import Cell, Chart, Links, PanelView, Table
from apps.dashboards.tables.base import count_cell as _count
from apps.dashboards.tables.base import rate_cell as _rate
from apps.dashboards.tables.overview import Headline, OverviewView, overview_view
from apps.dashboards.tables.referrals import referral_view

__all__ = [
    "Cell",
    "Chart",
    "Headline",
    "Links",
    "OverviewView",
    "PanelView",
    "Table",
    "channel_view",
    "drop_off_view",
    "funnel_view",
    "overview_view",
    "referral_view",
    "response_view",
    "trends_view",
]


# --- Funnel -----------------------------------------------------------------------------


def funnel_view(funnel: s.Funnel, links: Links) -> PanelView:
    stages = funnel.stages
    columns = [stage.name for stage in stages] + ["Lead to scheduled", "Lead to completed"]

    def row_cells(row: s.FunnelRow, **narrow: str) -> list[Cell]:
        cells = [
            _count(count, links(panel="funnel", reached=stage.slug, **narrow))
            for stage, count in zip(stages, row.reached, strict=True)
        ]
        cells.append(
            _rate(row.lead_to_scheduled, links(panel="funnel", reached="scheduled", **narrow))
        )
        cells.append(
            _rate(row.lead_to_completed, links(panel="funnel", reached="completed", **narrow))
        )
        return cells

    steps = Table(
        slug="steps",
        title="Leads reaching each stage",
        columns=["Stage", "Leads reaching it", "Conversion from the stage before"],
        rows=[
            [
                Cell(stage.name),
                _count(count, links(panel="funnel", reached=stage.slug)),
                _rate(step, links(panel="funnel", reached=stage.slug)),
            ]
            for stage, count, step in zip(
                stages, funnel.total.reached, funnel.total.step_rates, strict=True
            )
        ],
    )
    by_line = Table(
        slug="by-service-line",
        title="By service line",
        columns=["Service line", *columns],
        rows=[
            [Cell(row.label), *row_cells(row, service_line=row.key)]
            for row in funnel.by_service_line
        ],
    )
    by_channel = Table(
        slug="by-channel",
        title="By channel",
        columns=["Channel", *columns],
        rows=[[Cell(row.label), *row_cells(row, channel=row.key)] for row in funnel.by_channel],
    )
    total = funnel.total
    return PanelView(
        slug="funnel",
        title="Funnel",
        summary=[
            ("Leads", _count(total.leads, links(panel="funnel"))),
            (
                "Lead to scheduled",
                _rate(total.lead_to_scheduled, links(panel="funnel", reached="scheduled")),
            ),
            (
                "Lead to completed",
                _rate(total.lead_to_completed, links(panel="funnel", reached="completed")),
            ),
        ],
        charts=[
            Chart(
                kind="bars",
                title="Leads reaching each stage",
                labels=[stage.name for stage in stages],
                series=[{"name": "Leads", "values": total.reached}],
            )
        ],
        tables=[steps, by_line, by_channel],
        note=(
            "Leads that came in during the period, counted at every stage up to the "
            "furthest they reached, even if they were lost later."
        ),
        is_empty=total.leads == 0,
    )


# --- Trends -----------------------------------------------------------------------------


def trends_view(weeks: list[s.TrendWeek], links: Links) -> PanelView:
    rows = []
    for week in weeks:
        narrow = {"week": week.week.isoformat()}
        label = (
            f"{date_format(week.starts, 'MONTH_DAY_FORMAT')} to "
            f"{date_format(week.ends, 'SHORT_DATE_FORMAT')}"
        ) + (" (part)" if week.is_partial else "")
        rows.append(
            [
                Cell(label),
                _count(week.leads, links(panel="trends", **narrow)),
                _count(week.qualified, links(panel="trends", reached="qualified", **narrow)),
                _count(week.scheduled, links(panel="trends", reached="scheduled", **narrow)),
                _count(week.completed, links(panel="trends", reached="completed", **narrow)),
            ]
        )
    series = [
        ("Leads", [w.leads for w in weeks]),
        ("Qualified", [w.qualified for w in weeks]),
        ("Scheduled", [w.scheduled for w in weeks]),
        ("Completed", [w.completed for w in weeks]),
    ]
    return PanelView(
        slug="trends",
        title="Weekly trends",
        charts=[
            Chart(
                kind="lines",
                title="Leads per week and how far they got",
                labels=[date_format(w.week, "MONTH_DAY_FORMAT") for w in weeks],
                series=[{"name": name, "values": values} for name, values in series],
            )
        ],
        tables=[
            Table(
                slug="weeks",
                title="Per week",
                columns=["Week", "Leads", "Qualified", "Scheduled", "Completed"],
                rows=rows,
            )
        ],
        note="Leads by the week they came in (Monday to Sunday), and how many of them "
        "reached Qualified, Scheduled and Completed so far.",
        is_empty=not any(w.leads for w in weeks),
    )


# --- Response time ----------------------------------------------------------------------

_RESPONSE_COLUMNS = [
    "Leads",
    "Answered",
    "Median",
    "90th percentile",
    "Within SLA",
    "Missed SLA",
    "Share within SLA",
]


def response_view(figures: s.ResponseTimes, links: Links) -> PanelView:
    def cells(row: s.ResponseFigures, **narrow: str) -> list[Cell]:
        answered = links(panel="response", response="answered", **narrow)
        return [
            _count(row.leads, links(panel="response", **narrow)),
            _count(row.answered, answered),
            Cell(row.median_minutes, unit="min", href=answered if row.answered else ""),
            Cell(row.p90_minutes, unit="min", href=answered if row.answered else ""),
            _count(row.sla_met, links(panel="response", response="sla_met", **narrow)),
            _count(row.sla_missed, links(panel="response", response="sla_missed", **narrow)),
            _rate(row.within_sla_rate, links(panel="response", response="sla_met", **narrow)),
        ]

    total = figures.total
    histogram_rows = [
        [Cell(bucket.label), _count(count, links(panel="response", response=bucket.key))]
        for bucket, count in zip(c.RESPONSE_BUCKETS, total.buckets, strict=True)
    ]
    histogram_rows.append(
        [
            Cell("Not answered yet"),
            _count(total.unanswered, links(panel="response", response="unanswered")),
        ]
    )
    return PanelView(
        slug="response",
        title="Response time",
        summary=[
            ("Median to first response", cells(total)[2]),
            ("90th percentile", cells(total)[3]),
            ("Answered within SLA", cells(total)[6]),
            (
                "Still inside the SLA window",
                _count(total.sla_pending, links(panel="response", response="sla_pending")),
            ),
        ],
        charts=[
            Chart(
                kind="bars",
                title="Time to first response",
                labels=[row[0].value for row in histogram_rows],
                series=[{"name": "Leads", "values": [row[1].value for row in histogram_rows]}],
            )
        ],
        tables=[
            Table(
                slug="histogram",
                title="Time to first response",
                columns=["Time to first response", "Leads"],
                rows=histogram_rows,
            ),
            Table(
                slug="by-team",
                title="By team",
                columns=["Team", *_RESPONSE_COLUMNS],
                rows=[[Cell(r.label), *cells(r, team=r.key)] for r in figures.by_team],
            ),
            Table(
                slug="by-staff",
                title="By staff member (lead owner)",
                columns=["Staff member", *_RESPONSE_COLUMNS],
                rows=[[Cell(r.label), *cells(r, owner=r.key)] for r in figures.by_owner],
            ),
        ],
        note="Time from the inquiry to the first call, email or SMS logged by staff. The "
        "share within SLA counts leads answered by their due time, of those answered or "
        "past due; leads still inside their window are left out.",
        is_empty=total.leads == 0,
    )


# --- Channel quality --------------------------------------------------------------------


def channel_view(quality: s.ChannelQuality, links: Links) -> PanelView:
    def cells(row: s.ChannelQualityRow) -> list[Cell]:
        narrow = {"channel": row.channel}
        if row.campaign is not None:
            narrow["campaign"] = row.campaign or "-"
        return [
            _count(row.leads, links(panel="channels", **narrow)),
            _count(row.qualified, links(panel="channels", reached="qualified", **narrow)),
            _rate(row.qualified_rate, links(panel="channels", reached="qualified", **narrow)),
            _count(row.scheduled, links(panel="channels", reached="scheduled", **narrow)),
            _rate(row.scheduled_rate, links(panel="channels", reached="scheduled", **narrow)),
        ]

    columns = ["Leads", "Qualified", "Qualified rate", "Scheduled", "Scheduled rate"]
    return PanelView(
        slug="channels",
        title="Channel quality",
        charts=[
            Chart(
                kind="bars",
                title="Qualified and scheduled rate per channel",
                labels=[row.channel_label for row in quality.by_channel],
                series=[
                    {
                        "name": "Qualified rate",
                        "values": [row.qualified_rate for row in quality.by_channel],
                    },
                    {
                        "name": "Scheduled rate",
                        "values": [row.scheduled_rate for row in quality.by_channel],
                    },
                ],
                unit="%",
            )
        ],
        tables=[
            Table(
                slug="by-channel",
                title="Per channel",
                columns=["Channel", *columns],
                rows=[[Cell(row.channel_label), *cells(row)] for row in quality.by_channel],
            ),
            Table(
                slug="by-campaign",
                title="Per channel and campaign",
                columns=["Channel", "Campaign", *columns],
                rows=[
                    [Cell(row.channel_label), Cell(row.campaign or "(no campaign)"), *cells(row)]
                    for row in quality.by_campaign
                ],
            ),
        ],
        note="Campaigns are the utm_campaign the lead arrived with.",
        is_empty=not quality.by_channel,
    )


# --- Drop-off ---------------------------------------------------------------------------


def drop_off_view(drop: s.DropOff, links: Links) -> PanelView:
    def stall_cells(stall: s.StageStall) -> list[Cell]:
        narrow = {"stage": stall.slug} if stall.slug else {}
        return [
            _count(stall.leads, links(panel="drop-off", state="open", **narrow)),
            Cell(
                stall.median_days,
                unit="days",
                href=(
                    links(panel="drop-off", state="open", **narrow)
                    if stall.median_days is not None
                    else ""
                ),
            ),
            *(
                _count(count, links(panel="drop-off", stalled=bucket.key, **narrow))
                for bucket, count in zip(c.STALL_BUCKETS, stall.buckets, strict=True)
            ),
        ]

    stall_rows = [[Cell(stall.name), *stall_cells(stall)] for stall in drop.stalls]
    if drop.stalls:
        stall_rows.append([Cell("All open leads"), *stall_cells(drop.open_total)])

    def lost_cells(row: s.LostReasonRow) -> list[Cell]:
        narrow = {"service_line": row.key} if row.key else {}
        return [
            _count(row.lost, links(panel="drop-off", state="lost", **narrow)),
            *(
                _count(count, links(panel="drop-off", lost_reason=code or "none", **narrow))
                for (code, _label), count in zip(drop.reasons, row.by_reason, strict=True)
            ),
        ]

    lost_rows = [[Cell(row.label), *lost_cells(row)] for row in drop.lost_by_service_line]
    if drop.lost_by_service_line:
        lost_rows.append([Cell(drop.lost_total.label), *lost_cells(drop.lost_total)])
    return PanelView(
        slug="drop-off",
        title="Drop-off",
        summary=[
            (
                "Open leads",
                _count(
                    drop.open_total.leads if drop.open_total else 0,
                    links(panel="drop-off", state="open"),
                ),
            ),
            ("Lost leads", _count(drop.lost_total.lost, links(panel="drop-off", state="lost"))),
        ],
        charts=[
            Chart(
                kind="stacked",
                title="Open leads by stage and time in stage",
                labels=[stall.name for stall in drop.stalls],
                series=[
                    {"name": bucket.label, "values": [stall.buckets[i] for stall in drop.stalls]}
                    for i, bucket in enumerate(c.STALL_BUCKETS)
                ],
            ),
            Chart(
                kind="bars",
                title="Why leads were lost",
                labels=[label for _code, label in drop.reasons],
                series=[{"name": "Lost leads", "values": drop.lost_total.by_reason}],
            ),
        ],
        tables=[
            Table(
                slug="time-in-stage",
                title="Open leads: time at their current stage",
                columns=[
                    "Stage",
                    "Open leads",
                    "Median days at the stage",
                    *(b.label for b in c.STALL_BUCKETS),
                ],
                rows=stall_rows,
                empty="No open leads match these filters in this period.",
            ),
            Table(
                slug="lost-reasons",
                title="Lost reasons by service line",
                columns=["Service line", "Lost", *(label for _code, label in drop.reasons)],
                rows=lost_rows,
                empty="No lost leads match these filters in this period.",
            ),
        ],
        is_empty=not drop.stalls and not drop.lost_by_service_line,
    )


# --- Referral sources -------------------------------------------------------------------
