"""Each panel's figures on the month in conftest.py, worked out by hand there and here."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.dashboards import selectors, services
from apps.dashboards.filters import DashboardFilters
from apps.dashboards.models import RESPONSE_BINS, FactsRefresh, ResponseDaily
from apps.leads.models import Lead
from apps.pipeline.models import PipelineStage
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["daily counts", "lead rows"])
def counts_from(request, month):
    """Funnel, trends and channel quality must say the same from either rollup."""
    if request.param == "lead rows":
        # As after a pipeline change: the daily counts no longer fit the funnel.
        FactsRefresh.objects.update(funnel_positions=[])
    return request.param


# --- Funnel -------------------------------------------------------------------------------
# Furthest stage: L1 60, L2 50, L3 20, L4 10, L5 60, L6 30, L7 50, L8 10, L9 10.


def test_funnel_counts_every_lead_at_each_stage_up_to_the_furthest_it_reached(counts_from, month):
    funnel = selectors.dashboard_funnel(filters=month.filters())

    assert [stage.slug for stage in funnel.stages] == [
        "new",
        "attempting-contact",
        "contacted",
        "qualified",
        "scheduled",
        "completed",
    ]
    # New 9; Attempting L1 L2 L3 L5 L6 L7; Contacted L1 L2 L5 L6 L7; Qualified L1 L2 L5 L7;
    # Scheduled L1 L2 L5 L7 (L2 is lost now, it still got there); Completed L1 L5.
    assert funnel.total.reached == [9, 6, 5, 4, 4, 2]


def test_funnel_step_and_overall_conversion_rates(counts_from, month):
    total = selectors.dashboard_funnel(filters=month.filters()).total

    # 6/9, 5/6, 4/5, 4/4, 2/4
    assert total.step_rates == [None, D("66.7"), D("83.3"), D("80.0"), D("100.0"), D("50.0")]
    assert total.lead_to_scheduled == D("44.4")  # 4/9
    assert total.lead_to_completed == D("22.2")  # 2/9


def test_funnel_by_service_line_side_by_side(counts_from, month):
    funnel = selectors.dashboard_funnel(filters=month.filters())

    rows = {row.key: row for row in funnel.by_service_line}
    # Orthopedics: L1 L2 L3 L7 L8; Cardiology: L4 L5 L6 L9.
    assert [row.key for row in funnel.by_service_line] == ["orthopedics", "cardiology"]
    assert rows["orthopedics"].reached == [5, 4, 3, 3, 3, 1]
    assert rows["orthopedics"].lead_to_scheduled == D("60.0")
    assert rows["orthopedics"].lead_to_completed == D("20.0")
    assert rows["cardiology"].reached == [4, 2, 2, 1, 1, 1]
    assert rows["cardiology"].lead_to_scheduled == D("25.0")
    assert rows["cardiology"].step_rates == [
        None,
        D("50.0"),
        D("100.0"),
        D("50.0"),
        D("100.0"),
        D("100.0"),
    ]


def test_funnel_by_channel(counts_from, month):
    funnel = selectors.dashboard_funnel(filters=month.filters())

    rows = {row.key: row.reached for row in funnel.by_channel}
    assert rows == {
        "web_form": [4, 2, 2, 2, 2, 1],  # L1 L2 L8 L9
        "referral": [3, 3, 3, 2, 2, 1],  # L5 L6 L7
        "phone": [2, 1, 0, 0, 0, 0],  # L3 L4
    }
    assert [row.label for row in funnel.by_channel] == ["Web form", "Referral", "Phone"]


def test_period_is_counted_in_the_hospital_time_zone(counts_from, month):
    # L9 came in at 03:30 UTC on the 17th, still Sunday the 16th in New York; L10 and L11
    # fall on the 2nd and the 17th there. Only the 17th in New York: L11.
    only_17th = DashboardFilters(start=dt.date(2025, 3, 17), end=dt.date(2025, 3, 17))
    assert selectors.dashboard_funnel(filters=only_17th).total.leads == 1
    only_16th = DashboardFilters(start=dt.date(2025, 3, 16), end=dt.date(2025, 3, 16))
    assert selectors.dashboard_funnel(filters=only_16th).total.leads == 2  # L7, L9


@pytest.mark.parametrize(
    ("narrow", "expected"),
    [
        ({"service_line_id": "ortho", "channel": "web_form"}, [3, 2, 2, 2, 2, 1]),  # L1 L2 L8
        ({"location_id": "loc_b"}, [4, 2, 1, 1, 1, 0]),  # L3 L4 L7 L9
        ({"lead_type": "caregiver"}, [1, 0, 0, 0, 0, 0]),  # L4
        ({"referral_source_id": "rs1"}, [2, 2, 2, 1, 1, 1]),  # L5 L6
        ({"referral_source_id": "rs1", "service_line_id": "ortho"}, [0, 0, 0, 0, 0, 0]),
        ({"channel": "email"}, [0, 0, 0, 0, 0, 0]),
    ],
)
def test_filters_combine(counts_from, month, narrow, expected):
    values = {
        key: getattr(month, value).pk if key.endswith("_id") else value
        for key, value in narrow.items()
    }
    funnel = selectors.dashboard_funnel(filters=month.filters(**values))

    assert funnel.total.reached == expected


def test_funnel_of_no_leads_has_no_rates_rather_than_a_division_by_zero(counts_from, month):
    funnel = selectors.dashboard_funnel(filters=month.filters(channel="email"))

    assert funnel.total.reached == [0, 0, 0, 0, 0, 0]
    assert funnel.total.step_rates == [None] * 6
    assert funnel.total.lead_to_scheduled is None
    assert funnel.by_service_line == []
    assert funnel.by_channel == []


def test_merged_duplicates_are_not_counted(counts_from, month):
    # L12 came in on the 13th and was merged into L1.
    thirteenth = DashboardFilters(start=dt.date(2025, 3, 13), end=dt.date(2025, 3, 13))
    assert selectors.dashboard_funnel(filters=thirteenth).total.leads == 0


# --- Trends -------------------------------------------------------------------------------


def test_trends_per_week(counts_from, month):
    weeks = selectors.dashboard_trends(filters=month.filters())

    assert [
        (w.week, w.leads, w.qualified, w.scheduled, w.completed, w.is_partial) for w in weeks
    ] == [
        # L1 L2 L3: qualified L1 L2, scheduled L1 L2, completed L1
        (dt.date(2025, 3, 3), 3, 2, 2, 1, False),
        # L4 L5 L6 L7 L8 L9: qualified L5 L7, scheduled L5 L7, completed L5
        (dt.date(2025, 3, 10), 6, 2, 2, 1, False),
    ]


def test_trends_list_empty_weeks_and_clip_partial_ones(counts_from, month):
    filters = DashboardFilters(start=dt.date(2025, 2, 26), end=dt.date(2025, 3, 4))
    weeks = selectors.dashboard_trends(filters=filters)

    assert [(w.week, w.starts, w.ends, w.leads, w.is_partial) for w in weeks] == [
        (dt.date(2025, 2, 24), dt.date(2025, 2, 26), dt.date(2025, 3, 2), 1, True),  # L10
        (dt.date(2025, 3, 3), dt.date(2025, 3, 3), dt.date(2025, 3, 4), 2, True),  # L1 L2
    ]


def test_trends_of_an_empty_period_are_zero_weeks(counts_from, month):
    filters = DashboardFilters(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 14))
    weeks = selectors.dashboard_trends(filters=filters)

    assert [(w.week, w.leads, w.qualified, w.scheduled, w.completed) for w in weeks] == [
        (dt.date(2024, 1, 1), 0, 0, 0, 0),
        (dt.date(2024, 1, 8), 0, 0, 0, 0),
    ]


# --- Response time ------------------------------------------------------------------------
# Answered (minutes): L5 5, L1 10, L7 20, L2 30, L3 90, L6 240. SLA met L1 L2 L5 L7; missed
# L3 (late), L6 (late), L4 (unanswered, past due); pending L9; L8 has no SLA.


def test_response_median_p90_and_share_within_sla(month):
    total = selectors.dashboard_response_times(filters=month.filters()).total

    assert (total.leads, total.answered, total.unanswered) == (9, 6, 3)
    # percentile_cont over 5 10 20 30 90 240: median at 2.5 -> (20+30)/2; p90 at 4.5 ->
    # 90 + 0.5 * (240 - 90).
    assert total.median_minutes == D("25.0")
    assert total.p90_minutes == D("165.0")
    assert (total.sla_met, total.sla_missed, total.sla_pending) == (4, 3, 1)
    assert total.within_sla_rate == D("57.1")  # 4 / 7


def test_response_histogram(month):
    total = selectors.dashboard_response_times(filters=month.filters()).total

    # under 15 min: L1 L5; 15-60: L2 L7; 1-4 h: L3; 4-24 h: L6 (exactly 4 h); none later.
    assert total.buckets == [2, 2, 1, 1, 0, 0]


def test_response_by_team(month):
    by_team = {
        r.label: r for r in selectors.dashboard_response_times(filters=month.filters()).by_team
    }

    ortho = by_team["Ortho intake"]  # L1 10, L2 30, L5 5, L6 240
    assert (ortho.leads, ortho.answered) == (4, 4)
    assert ortho.median_minutes == D("20.0")  # (10 + 30) / 2
    assert ortho.p90_minutes == D("177.0")  # at 2.7: 30 + 0.7 * 210
    assert ortho.within_sla_rate == D("75.0")  # met L1 L2 L5, missed L6
    cardio = by_team["Cardio intake"]  # L3 90, L4 -, L7 20, L9 -
    assert (cardio.leads, cardio.answered) == (4, 2)
    assert cardio.median_minutes == D("55.0")
    assert cardio.p90_minutes == D("83.0")  # at 0.9: 20 + 0.9 * 70
    assert (cardio.sla_met, cardio.sla_missed, cardio.sla_pending) == (1, 2, 1)
    assert cardio.within_sla_rate == D("33.3")
    no_team = by_team["No team"]  # L8: no response, no SLA
    assert (no_team.key, no_team.leads, no_team.answered) == ("none", 1, 0)
    assert no_team.median_minutes is None
    assert no_team.within_sla_rate is None


def test_response_by_staff_member(month):
    rows = selectors.dashboard_response_times(filters=month.filters()).by_owner

    by_owner = {r.label: r for r in rows}
    alice = by_owner["Alice Archer"]  # L1 10, L2 30, L5 5
    assert (alice.key, alice.median_minutes, alice.p90_minutes) == (
        str(month.alice.pk),
        D("10.0"),
        D("26.0"),  # at 1.8: 10 + 0.8 * 20
    )
    assert alice.within_sla_rate == D("100.0")
    nobody = by_owner["No owner"]  # L6 240, L8 -
    assert (nobody.leads, nobody.answered, nobody.median_minutes) == (2, 1, D("240.0"))
    assert nobody.within_sla_rate == D("0.0")
    assert [r.label for r in rows] == ["Bob Baker", "Alice Archer", "No owner"]


def test_response_of_no_leads(month):
    figures = selectors.dashboard_response_times(filters=month.filters(channel="email"))

    assert (figures.total.leads, figures.total.answered) == (0, 0)
    assert figures.total.median_minutes is None
    assert figures.total.within_sla_rate is None
    assert figures.total.buckets == [0] * 6
    assert figures.by_team == [] and figures.by_owner == []


# --- Channel quality ----------------------------------------------------------------------


def test_channel_quality_per_channel(counts_from, month):
    quality = selectors.dashboard_channel_quality(filters=month.filters())

    assert [
        (r.channel, r.leads, r.qualified, r.qualified_rate, r.scheduled, r.scheduled_rate)
        for r in quality.by_channel
    ] == [
        ("web_form", 4, 2, D("50.0"), 2, D("50.0")),  # L1 L2 L8 L9
        ("referral", 3, 2, D("66.7"), 2, D("66.7")),  # L5 L6 L7
        ("phone", 2, 0, D("0.0"), 0, D("0.0")),  # L3 L4
    ]


def test_channel_quality_per_campaign(counts_from, month):
    quality = selectors.dashboard_channel_quality(filters=month.filters())

    assert [
        (r.channel, r.campaign, r.leads, r.qualified_rate, r.scheduled_rate)
        for r in quality.by_campaign
    ] == [
        ("phone", "", 2, D("0.0"), D("0.0")),
        ("referral", "", 3, D("66.7"), D("66.7")),
        ("web_form", "knee", 2, D("100.0"), D("100.0")),  # L1 L2
        ("web_form", "", 1, D("0.0"), D("0.0")),  # L9
        ("web_form", "spring", 1, D("0.0"), D("0.0")),  # L8
    ]


def test_channel_quality_of_no_leads_is_empty(counts_from, month):
    quality = selectors.dashboard_channel_quality(filters=month.filters(lead_type="employer"))

    assert quality.by_channel == [] and quality.by_campaign == []


# --- Drop-off -----------------------------------------------------------------------------
# Open leads and days at their stage by Thu 20 March 12:00 UTC: L4 New since 03-10 12:00
# (10.0), L9 New since 03-17 03:30 (3.354), L3 Attempting since 03-05 14:00 (14.917),
# L7 Scheduled since 03-17 10:00 (3.083), L8 Not ready since 03-15 12:00 (5.0).
# (6.677 rounds to 6.7, 14.917 to 14.9, 3.083 to 3.1.)


def test_drop_off_time_in_stage_of_open_leads(month):
    drop = selectors.dashboard_drop_off(filters=month.filters())

    assert [(s.slug, s.leads, s.median_days, s.buckets) for s in drop.stalls] == [
        # buckets: <1d, 1-3d, 3-7d, 7-14d, 14-30d, >30d
        ("new", 2, D("6.7"), [0, 0, 1, 1, 0, 0]),  # median of 3.354 and 10.0
        ("attempting-contact", 1, D("14.9"), [0, 0, 0, 0, 1, 0]),
        ("scheduled", 1, D("3.1"), [0, 0, 1, 0, 0, 0]),
        ("not-ready", 1, D("5.0"), [0, 0, 1, 0, 0, 0]),
    ]
    total = drop.open_total  # the stages added up; medians are per stage
    assert (total.leads, total.median_days, total.buckets) == (5, None, [0, 0, 3, 1, 1, 0])


def test_drop_off_lost_reasons_by_service_line(month):
    drop = selectors.dashboard_drop_off(filters=month.filters())

    # L2 orthopedics out of network; L6 cardiology chose another provider.
    assert [code for code, _label in drop.reasons] == ["chose_another_provider", "out_of_network"]
    assert [(r.key, r.lost, r.by_reason) for r in drop.lost_by_service_line] == [
        ("cardiology", 1, [1, 0]),
        ("orthopedics", 1, [0, 1]),
    ]
    assert (drop.lost_total.lost, drop.lost_total.by_reason) == (2, [1, 1])


def test_drop_off_of_no_leads(month):
    drop = selectors.dashboard_drop_off(filters=month.filters(channel="email"))

    assert drop.stalls == [] and drop.lost_by_service_line == [] and drop.reasons == []
    assert (drop.open_total.leads, drop.open_total.median_days) == (0, None)
    assert drop.lost_total.lost == 0


# --- Referral sources ---------------------------------------------------------------------
# Referred: L5 (RS1, completed, summary sent, appointment after 7.0 days), L6 (RS1,
# referred elsewhere), L7 (RS2, scheduled, appointment after 10.0 days).


def test_referral_totals_leakage_closed_loop_and_days_to_appointment(month):
    total = selectors.dashboard_referral_sources(filters=month.filters()).total

    assert (total.referrals, total.scheduled, total.completed, total.lost) == (3, 2, 1, 1)
    assert (total.referred_elsewhere, total.out_of_network, total.declined_by_patient) == (1, 0, 0)
    assert total.leakage_rate == D("33.3")  # 1 / 3
    assert total.closed_loop_rate == D("100.0")  # 1 / 1
    assert total.median_days_to_appointment == D("8.5")  # (7 + 10) / 2


def test_top_referral_sources(month):
    top = selectors.dashboard_referral_sources(filters=month.filters()).top

    assert [
        (s.name, s.health, s.referrals, s.scheduled, s.completed, s.lost, s.leakage_rate)
        for s in top
    ] == [
        ("Lakeside Family Practice", "active", 2, 1, 1, 1, D("50.0")),
        ("Dr. Rivera", "declining", 1, 1, 0, 0, D("0.0")),
    ]
    assert [(s.closed_loop_rate, s.median_days_to_appointment) for s in top] == [
        (D("100.0"), D("7.0")),
        (None, D("10.0")),
    ]


def test_declining_sources_come_from_the_referrer_health_job(month):
    declining = selectors.dashboard_referral_sources(filters=month.filters()).declining

    # Highest expected volume first; referrals counted in the period with the filters.
    assert [(s.name, s.expected_recent_referrals, s.referrals) for s in declining] == [
        ("Quiet Clinic", D("9.50"), 0),
        ("Dr. Rivera", D("6.00"), 1),
    ]


def test_referrals_of_no_leads(month):
    referrals = selectors.dashboard_referral_sources(filters=month.filters(channel="phone"))

    total = referrals.total
    assert (total.referrals, total.leakage_rate, total.closed_loop_rate) == (0, None, None)
    assert total.median_days_to_appointment is None
    assert referrals.top == []
    assert [s.referrals for s in referrals.declining] == [0, 0]


def sql_of(call) -> str:
    with CaptureQueriesContext(connection) as queries:
        call()
    return " ".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize(
    ("narrow", "table"),
    [
        ({"channel": "phone"}, "dashboards_dailylinecounts"),
        ({"lead_type": "caregiver"}, "dashboards_dailycounts"),
    ],
)
def test_counts_come_from_the_daily_rollups(month, narrow, table):
    sql = sql_of(lambda: selectors.dashboard_funnel(filters=month.filters(**narrow)))

    assert f"FROM {table} d" in sql and "dashboards_leadfact" not in sql


def test_a_referral_source_filter_reads_that_sources_lead_rows(month):
    filters = month.filters(referral_source_id=month.rs1.pk)

    sql = sql_of(lambda: selectors.dashboard_funnel(filters=filters))

    assert "dashboards_leadfact" in sql and "dashboards_dailycounts" not in sql


def test_after_a_pipeline_change_the_next_refresh_recounts_the_days(month):
    PipelineStage.objects.filter(slug="attempting-contact").update(is_active=False)

    before = selectors.dashboard_funnel(filters=month.filters())
    services.lead_facts_refresh()
    sql = sql_of(lambda: selectors.dashboard_funnel(filters=month.filters()))

    # Without Attempting contact: New 9, Contacted 5, Qualified 4, Scheduled 4, Completed 2.
    assert before.total.reached == [9, 5, 4, 4, 2]
    assert selectors.dashboard_funnel(filters=month.filters()).total.reached == [9, 5, 4, 4, 2]
    assert "dashboards_dailylinecounts" in sql


def test_a_stage_change_reaches_the_counts_at_the_next_refresh(month):
    ActivityFactory(
        lead=month.leads["L3"],
        kind="stage_change",
        from_stage=stage_get_by_slug("attempting-contact"),
        to_stage=stage_get_by_slug("qualified"),
    )
    services.lead_facts_refresh()

    assert selectors.dashboard_funnel(filters=month.filters()).total.reached == [9, 6, 6, 5, 4, 2]


def test_a_first_response_reaches_the_response_panel_at_the_next_refresh(month):
    lead = month.leads["L4"]  # unanswered and past due (missed), due 60 min after it came in
    Lead.objects.filter(pk=lead.pk).update(
        first_response_at=lead.created_at + dt.timedelta(minutes=45)
    )
    ActivityFactory(lead=lead)  # what the refresh notices (any new activity)
    services.lead_facts_refresh()

    total = selectors.dashboard_response_times(filters=month.filters()).total
    # Answered now 5 10 20 30 45 90 240: median 30; p90 at 5.4: 90 + 0.4 * 150.
    assert (total.answered, total.median_minutes, total.p90_minutes) == (7, D("30.0"), D("150.0"))
    assert (total.sla_met, total.sla_missed, total.sla_pending) == (5, 2, 1)  # L4 in time
    assert total.buckets == [2, 3, 1, 1, 0, 0]


def test_the_nightly_rebuild_chooses_the_bins_again(month):
    state = FactsRefresh.objects.get()
    FactsRefresh.objects.update(response_edges=[], appointment_edges=[], stall_edges=[])

    services.lead_facts_rebuild()

    rebuilt = FactsRefresh.objects.get()
    assert (rebuilt.response_edges, rebuilt.appointment_edges, rebuilt.stall_edges) == (
        state.response_edges,
        state.appointment_edges,
        state.stall_edges,
    )
    total = selectors.dashboard_response_times(filters=month.filters()).total
    assert (total.median_minutes, total.p90_minutes) == (D("25.0"), D("165.0"))


def test_the_minute_refresh_builds_rollups_that_have_no_bins_yet(month):
    # As after the upgrade that added them: bins unknown, the new rollups empty.
    FactsRefresh.objects.update(response_edges=[], appointment_edges=[], stall_edges=[])
    ResponseDaily.objects.all().delete()

    services.lead_facts_refresh()

    assert len(FactsRefresh.objects.get().response_edges) == RESPONSE_BINS
    total = selectors.dashboard_response_times(filters=month.filters()).total
    assert (total.leads, total.median_minutes, total.p90_minutes) == (9, D("25.0"), D("165.0"))


# --- Query budgets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "queries"),
    [
        (selectors.dashboard_funnel, 2),  # the funnel's stages, the counts
        (selectors.dashboard_trends, 2),
        (selectors.dashboard_response_times, 2),  # counts; percentiles
        (selectors.dashboard_channel_quality, 2),
        (selectors.dashboard_drop_off, 3),  # time in stage; the funnel and reasons; lost
        (selectors.dashboard_referral_sources, 3),  # sources; medians; declining sources
    ],
)
def test_each_panel_runs_a_fixed_number_of_queries(
    month, django_assert_num_queries, selector, queries
):
    with django_assert_num_queries(queries):
        selector(filters=month.filters())
    with django_assert_num_queries(queries):
        selector(filters=month.filters(service_line_id=month.ortho.pk, channel="referral"))
