"""The referral sources panel: the referred leads' summary, the top sources, leakage and
closed loop, and the declining sources, each number linked to its leads."""

from django.urls import reverse

from apps.core.readable import choice_label
from apps.dashboards import selectors as s
from apps.dashboards.query import rate
from apps.dashboards.tables.base import Cell, Chart, Links, PanelView, Table
from apps.dashboards.tables.base import count_cell as _count
from apps.dashboards.tables.base import rate_cell as _rate
from apps.pipeline.choices import DefaultStage
from apps.referrals.choices import HealthStatus

NOTE = (
    "Leakage: referred leads lost (disqualified or referred elsewhere). Closed loop: "
    "completed referrals whose visit summary went back to the referrer. Declining: "
    "the nightly referrer health check (fewer referrals in the last 90 days than "
    "expected from the year before, by 30% or more)."
)
NO_REFERRALS = "No referred leads match these filters in this period."
# The drill-down of every referred lead (a source's own rows narrow by it instead).
REFERRED = {"referred": "1"}


def referral_view(referrals: s.ReferralSources, links: Links) -> PanelView:
    """The panel: a summary, the top sources, leakage and closed loop, and the
    declining sources."""
    total = referrals.total
    return PanelView(
        slug="referrals",
        title="Referral sources",
        summary=_summary(total, links),
        charts=[
            Chart(
                kind="bars",
                title="Top referral sources",
                labels=[row.name for row in referrals.top],
                series=[
                    {"name": "Referred leads", "values": [row.referrals for row in referrals.top]}
                ],
            )
        ],
        tables=[
            _top_sources(referrals.top, links),
            _leakage(total, links),
            _declining(referrals.declining, links),
        ],
        note=NOTE,
        is_empty=total.referrals == 0,
    )


def _median_days_cell(row: s.SourceFigures, links: Links, narrow: dict) -> Cell:
    href = links(panel="referrals", appointment="1", **narrow) if row.with_appointment else ""
    return Cell(row.median_days_to_appointment, unit="days", href=href)


def _summary(total: s.SourceFigures, links: Links) -> list[tuple[str, Cell]]:
    return [
        ("Referred leads", _count(total.referrals, links(panel="referrals", **REFERRED))),
        (
            "Leakage",
            _rate(total.leakage_rate, links(panel="referrals", state="lost", **REFERRED)),
        ),
        (
            "Closed loop",
            _rate(total.closed_loop_rate, links(panel="referrals", feedback="sent", **REFERRED)),
        ),
        ("Median days, referral to appointment", _median_days_cell(total, links, REFERRED)),
    ]


def _top_sources(top: list[s.SourceFigures], links: Links) -> Table:
    return Table(
        slug="top-sources",
        title=f"Top {s.TOP_SOURCES} sources",
        columns=[
            "Source",
            "Kind",
            "Health",
            "Referred leads",
            "Scheduled",
            "Completed",
            "Lost",
            "Leakage",
            "Closed loop",
            "Median days to appointment",
        ],
        rows=[
            [
                _source_name(row.source_id, row.name),
                Cell(row.kind),
                Cell(choice_label(HealthStatus, row.health) or "—"),
                *_source_cells(row, links),
            ]
            for row in top
        ],
        empty=NO_REFERRALS,
    )


def _source_name(source_id: int | None, name: str) -> Cell:
    """A source's name, linking to its profile (apps.referrals), where its history is."""
    return Cell(name, href=reverse("referrals:profile", args=[source_id]) if source_id else "")


def _source_cells(row: s.SourceFigures, links: Links) -> list[Cell]:
    narrow = {"referral_source": row.source_id} if row.source_id else REFERRED
    return [
        _count(row.referrals, links(panel="referrals", **narrow)),
        _count(row.scheduled, links(panel="referrals", reached=DefaultStage.SCHEDULED, **narrow)),
        _count(row.completed, links(panel="referrals", state="won", **narrow)),
        _count(row.lost, links(panel="referrals", state="lost", **narrow)),
        _rate(row.leakage_rate, links(panel="referrals", state="lost", **narrow)),
        _rate(row.closed_loop_rate, links(panel="referrals", feedback="sent", **narrow)),
        _median_days_cell(row, links, narrow),
    ]


def _leakage(total: s.SourceFigures, links: Links) -> Table:
    def line(label: str, leads: int, share: Cell, **condition: str) -> list[Cell]:
        return [
            Cell(label),
            _count(leads, links(panel="referrals", **condition, **REFERRED)),
            share,
        ]

    def share_of_referred(leads: int) -> Cell:
        return _rate(rate(leads, total.referrals))

    awaited = total.completed - total.feedback_sent
    return Table(
        slug="leakage",
        title="Leakage and closed loop",
        columns=["Figure", "Leads", "Share of referred leads"],
        rows=[
            line("Referred leads", total.referrals, Cell(None)),
            line("Lost", total.lost, _rate(total.leakage_rate), state="lost"),
            line(
                "Referred elsewhere",
                total.referred_elsewhere,
                share_of_referred(total.referred_elsewhere),
                stage=DefaultStage.REFERRED_ELSEWHERE,
            ),
            line(
                "Out of network",
                total.out_of_network,
                share_of_referred(total.out_of_network),
                lost_reason="out_of_network",
            ),
            line(
                "Declined by the patient",
                total.declined_by_patient,
                share_of_referred(total.declined_by_patient),
                lost_reason="declined_by_patient",
            ),
            line("Completed", total.completed, share_of_referred(total.completed), state="won"),
            line(
                "Completed, summary sent back",
                total.feedback_sent,
                share_of_referred(total.feedback_sent),
                feedback="sent",
            ),
            line(
                "Completed, summary awaited",
                awaited,
                share_of_referred(awaited),
                feedback="awaited",
            ),
        ],
        empty=NO_REFERRALS,
    )


def _declining(declining: list[s.DecliningSource], links: Links) -> Table:
    return Table(
        slug="declining",
        title="Declining sources",
        columns=["Source", "Recent referrals", "Expected", "Why", "Referred leads in this period"],
        rows=[
            [
                _source_name(row.source_id, row.name),
                Cell(row.recent_referrals),
                Cell(row.expected_recent_referrals),
                Cell(row.reason),
                _count(row.referrals, links(panel="referrals", referral_source=row.source_id)),
            ]
            for row in declining
        ],
        empty="No referral source is declining.",
    )
