"""Medians and 90th percentiles over many leads, read through the rollups' bins.

The panels place a percentile's rank in one bin of a rollup (ResponseDaily, ReferralDaily,
StallDaily) and read the values around it from LeadFact; the answer must be exactly
PostgreSQL's percentile_cont over every value (rank (n - 1) * p, interpolated between the
values at its floor and the next), wherever the bin edges fall. Here 150 leads have
hand-checkable values, so ranks fall inside bins, across bin edges and, when the edges were
chosen before most leads came in, inside a first or last bin holding most of them.

Lead i (1..150), created 2025-03-03 12:00 UTC + i x 10 minutes:
- first response after i minutes; odd i: team T1 and alice, even i: team T2 and bob;
- location North for i <= 75, South after;
- at Contacted since i hours before "now" (2025-03-20 12:00 UTC), still open;
- referred, by source A (odd i) or B (even i), appointment i x 12 hours after it came in.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from apps.dashboards import selectors, services
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import FactsRefresh, ResponseDaily
from apps.pipeline.selectors import stage_get_by_slug
from tests.dashboards.conftest import NOW, PERIOD
from tests.factories import (
    LeadFactory,
    LocationFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEADS = 150


@pytest.fixture(params=["edges from every lead", "edges chosen before most leads came in"])
def many(request, frozen_now):
    line = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    north = LocationFactory(slug="north", name="North Campus")
    south = LocationFactory(slug="south", name="South Campus")
    t1, t2 = TeamFactory(name="T1"), TeamFactory(name="T2")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Archer")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Baker")
    source_a = ReferralSourceFactory(name="Source A")
    source_b = ReferralSourceFactory(name="Source B")
    contacted = stage_get_by_slug("contacted")
    first = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC)

    def make(i: int) -> None:
        created = first + dt.timedelta(minutes=10 * i)
        odd = i % 2 == 1
        LeadFactory(
            created_at=created,
            service_line=line,
            channel="referral",
            location=north if i <= 75 else south,
            team=t1 if odd else t2,
            owner=alice if odd else bob,
            referral_source=source_a if odd else source_b,
            stage=contacted,
            stage_entered_at=NOW - dt.timedelta(hours=i),
            first_response_at=created + dt.timedelta(minutes=i),
            sla_due_at=created + dt.timedelta(hours=1),
            appointment_at=created + dt.timedelta(hours=12 * i),
        )

    if request.param == "edges from every lead":
        for i in range(1, LEADS + 1):
            make(i)
        services.lead_facts_refresh()
    else:
        # The edges come from the first ten leads: every later response time and
        # appointment falls past the last edge, every later time entered before the first.
        for i in range(1, 11):
            make(i)
        services.lead_facts_refresh()
        for i in range(11, LEADS + 1):
            make(i)
        services.lead_facts_refresh()  # the minute refresh keeps the edges
    return {"north": north, "source_a": source_a}


def period(**narrow) -> DashboardFilters:
    return DashboardFilters(start=PERIOD[0], end=PERIOD[1], **narrow)


def test_response_percentiles_are_percentile_conts(many):
    figures = selectors.dashboard_response_times(filters=period())

    # 1..150 minutes. Median at 74.5: 75 + 0.5 * (76 - 75). p90 at 134.1: 135 + 0.1.
    assert (figures.total.answered, figures.total.median_minutes) == (150, D("75.5"))
    assert figures.total.p90_minutes == D("135.1")
    by_team = {r.label: (r.answered, r.median_minutes, r.p90_minutes) for r in figures.by_team}
    # T1: 1, 3, .., 149; median at 37: 75; p90 at 66.6: 133 + 0.6 * 2. T2: 2, 4, .., 150.
    assert by_team == {"T1": (75, D("75.0"), D("134.2")), "T2": (75, D("76.0"), D("135.2"))}
    by_owner = {r.label: (r.median_minutes, r.p90_minutes) for r in figures.by_owner}
    assert by_owner == {
        "Alice Archer": (D("75.0"), D("134.2")),
        "Bob Baker": (D("76.0"), D("135.2")),
    }
    # Histogram: under 15 min 1..14; 15-60 min 15..59; 1-4 h 60..150.
    assert figures.total.buckets == [14, 45, 91, 0, 0, 0]


def test_response_percentiles_with_filters(many):
    # North: leads 1..75 (the finest rollup level): median at 37: 38; p90 at 66.6: 67.6.
    north = selectors.dashboard_response_times(filters=period(location_id=many["north"].pk))
    # Source A (LeadFact rows, the rollup has no source): the odd leads, as T1.
    source = selectors.dashboard_response_times(
        filters=period(referral_source_id=many["source_a"].pk)
    )

    assert (north.total.answered, north.total.median_minutes) == (75, D("38.0"))
    assert north.total.p90_minutes == D("67.6")
    assert (source.total.median_minutes, source.total.p90_minutes) == (D("75.0"), D("134.2"))
    # Odd minutes: under 15 min 1..13; 15-60 min 15..59; 1-4 h 61..149.
    assert (source.total.answered, source.total.buckets) == (75, [7, 23, 45, 0, 0, 0])
    assert [(r.label, r.answered) for r in source.by_team] == [("T1", 75)]


def test_response_panel_sums_the_rollup_rather_than_every_lead(many):
    bins = FactsRefresh.objects.get().response_edges

    assert ResponseDaily.objects.filter(level=0).exists()
    assert all(len(row.bins) == len(bins) for row in ResponseDaily.objects.all())
    assert sum(sum(row.bins) for row in ResponseDaily.objects.filter(level=0)) == LEADS


def test_drop_off_median_and_waits_are_exact(many):
    stalls = selectors.dashboard_drop_off(filters=period()).stalls

    # Entered 1..150 hours ago; median at 74.5 of them oldest first: 75.5 hours, 3.1 days.
    # Under a day: 1..23 hours (24 is a day exactly); 1-3 days: 24..71; 3-7 days: 72..150.
    assert [(s.slug, s.leads, s.median_days, s.buckets) for s in stalls] == [
        ("contacted", 150, D("3.1"), [23, 48, 79, 0, 0, 0])
    ]


def test_drop_off_with_a_filter(many):
    stalls = selectors.dashboard_drop_off(filters=period(location_id=many["north"].pk)).stalls

    # Leads 1..75: median at 37: 38 hours, 1.6 days.
    assert [(s.leads, s.median_days, s.buckets) for s in stalls] == [
        (75, D("1.6"), [23, 48, 4, 0, 0, 0])
    ]


def test_referral_median_days_are_exact(many):
    referrals = selectors.dashboard_referral_sources(filters=period())

    # Days i / 2: median at 74.5: (37.5 + 38) / 2 = 37.75, shown 37.8. Source A has the
    # odd leads (median 75 / 2), source B the even ones (76 / 2).
    assert referrals.total.median_days_to_appointment == D("37.8")
    assert {s.name: s.median_days_to_appointment for s in referrals.top} == {
        "Source A": D("37.5"),
        "Source B": D("38.0"),
    }
    north = selectors.dashboard_referral_sources(filters=period(location_id=many["north"].pk))
    assert north.total.median_days_to_appointment == D("19.0")  # 1..75: 38 / 2
