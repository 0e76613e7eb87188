"""Profile figures against answers worked out by hand on a fixed referral history.

The source below sent 10 referrals (one more, from June 2025, falls outside the last
12 months) to orthopedics (O) and cardiology (C); "now" is June 15, 2026, noon in New
York. By hand:

  #  line created     outcome                     appointment  completed   summary sent
  1  O    Jun 1       completed                   +4.0 days    Jun 5 noon  +2.0 days
  2  O    May 10      completed                   +10.0 days   May 20 noon +6.0 days
  3  O    Apr 3       completed                   +6.0 days    Apr 9 noon  not sent
  4  O    Jun 10      scheduled                   +8.0 days
  5  O    Feb 20      referred elsewhere, out_of_network
  6  O    Jan 5       disqualified, declined_by_patient
  7  C    May 2       referred elsewhere, chose_another_provider
  8  C    May 3       disqualified, out_of_network
  9  C    Mar 1       open (new)
 10  C    Jun 10 2025 open (new)

  median days to appointment: 4, 6, 8, 10 -> 7.0
  closed loop: 2 of 3 completed sent (66.7%), median days to send: 2, 6 -> 4.0
"""

import datetime as dt
from decimal import Decimal

import pytest

from apps.referrals import figures
from apps.referrals.selectors import referral_source_profile
from tests.factories import ReferralSourceFactory, ServiceLineFactory
from tests.referrals.conftest import AS_OF, NEW_YORK
from tests.referrals.factories import visit_to

pytestmark = pytest.mark.django_db


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=NEW_YORK)


@pytest.fixture
def cardiology():
    return ServiceLineFactory(slug="cardiology", name="Cardiology")


@pytest.fixture
def source(make_referrals, orthopedics, cardiology):
    source = ReferralSourceFactory(name="Dr. Rivera")
    completed = {"stage": "completed"}
    for created, appointment, completed_at, sent in [
        (at(6, 1), at(6, 5), at(6, 5, 12), at(6, 7, 12)),
        (at(5, 10), at(5, 20), at(5, 20, 12), at(5, 26, 12)),
        (at(4, 3), at(4, 9), at(4, 9, 12), None),
    ]:
        make_referrals(
            source,
            [created],
            scheduled_at=created,
            appointment_at=appointment,
            converted_at=completed_at,
            closed_at=completed_at,
            referral_feedback_sent_at=sent,
            **completed,
        )
    make_referrals(
        source, [at(6, 10)], stage="scheduled", scheduled_at=at(6, 10), appointment_at=at(6, 18)
    )
    lost = {"closed_at": lambda created: created + dt.timedelta(days=3)}
    make_referrals(
        source, [at(2, 20)], stage="referred-elsewhere", lost_reason="out_of_network", **lost
    )
    make_referrals(
        source, [at(1, 5)], stage="disqualified", lost_reason="declined_by_patient", **lost
    )
    make_referrals(
        source,
        [at(5, 2)],
        stage="referred-elsewhere",
        lost_reason="chose_another_provider",
        service_line=cardiology,
        **lost,
    )
    make_referrals(
        source,
        [at(5, 3)],
        stage="disqualified",
        lost_reason="out_of_network",
        service_line=cardiology,
        **lost,
    )
    make_referrals(source, [at(3, 1), at(6, 10, year=2025)], service_line=cardiology)
    # Another source's referrals never count.
    make_referrals(ReferralSourceFactory(), [at(6, 1), at(5, 1)], stage="completed")
    return source


@pytest.fixture
def profile(source):
    return referral_source_profile(source=source, as_of=AS_OF)


def test_volume_by_month_covers_the_last_12_months_with_empty_months(profile):
    assert [(month.month.isoformat(), month.referrals) for month in profile.volume_by_month] == [
        ("2025-07-01", 0),
        ("2025-08-01", 0),
        ("2025-09-01", 0),
        ("2025-10-01", 0),
        ("2025-11-01", 0),
        ("2025-12-01", 0),
        ("2026-01-01", 1),
        ("2026-02-01", 1),
        ("2026-03-01", 1),
        ("2026-04-01", 1),
        ("2026-05-01", 3),
        ("2026-06-01", 2),
    ]
    assert profile.referrals_last_12_months == 9


def test_months_are_counted_in_the_hospitals_time_zone(make_referrals):
    source = ReferralSourceFactory()
    # 11 pm on May 31 in New York is already June 1 in UTC: it belongs to May.
    make_referrals(source, [dt.datetime(2026, 5, 31, 23, 0, tzinfo=NEW_YORK)])
    volume = figures.referral_volume_by_month(leads=source.leads.all(), as_of=AS_OF)
    assert [m.referrals for m in volume if m.month.month in (5, 6)] == [1, 0]


def test_leads_by_service_line_and_how_far_they_got(profile):
    assert [
        (line.service_line, line.referrals, line.scheduled, line.completed, line.lost, line.open)
        for line in profile.progress_by_service_line
    ] == [
        ("Orthopedics", 6, 4, 3, 2, 1),
        ("Cardiology", 4, 0, 0, 2, 2),
    ]
    orthopedics = profile.progress_by_service_line[0]
    assert (orthopedics.scheduled_share, orthopedics.completed_share) == (
        Decimal("66.7"),
        Decimal("50.0"),
    )


def test_median_days_from_referral_to_appointment(profile):
    assert profile.median_days_to_appointment == Decimal("7.0")


def test_leakage_per_service_line_with_reason_codes(profile):
    assert [
        (
            line.service_line,
            line.lost,
            line.referrals,
            line.referred_elsewhere,
            line.out_of_network,
            line.declined_by_patient,
            [(code, count) for code, _label, count in line.reasons],
        )
        for line in profile.leakage_by_service_line
    ] == [
        ("Cardiology", 2, 4, 1, 1, 0, [("chose_another_provider", 1), ("out_of_network", 1)]),
        ("Orthopedics", 2, 6, 1, 1, 1, [("declined_by_patient", 1), ("out_of_network", 1)]),
    ]
    assert profile.leakage_by_service_line[1].lost_share == Decimal("33.3")


def test_closed_loop_share_and_median_days_to_send(profile):
    loop = profile.closed_loop
    assert (loop.completed, loop.feedback_sent, loop.awaiting) == (3, 2, 1)
    assert loop.sent_share == Decimal("66.7")
    assert loop.median_days_to_send == Decimal("4.0")


def test_figures_are_empty_not_zero_divided_for_a_source_without_referrals():
    profile = referral_source_profile(source=ReferralSourceFactory(), as_of=AS_OF)
    assert profile.median_days_to_appointment is None
    assert profile.closed_loop.sent_share is None
    assert profile.closed_loop.median_days_to_send is None
    assert profile.progress_by_service_line == []
    assert profile.leakage_by_service_line == []
    assert profile.referrals_last_12_months == 0


def test_trend_before_and_after_each_visit(source, profile):
    visit = visit_to(source, visited_on=dt.date(2026, 4, 1))
    profile = referral_source_profile(source=source, as_of=AS_OF)

    trend = profile.trend_around_visits[visit.pk]
    # Before: Jan 1 - Mar 31 holds #6, #5 and #9. After, Apr 1 - Jun 29, so far 76 days
    # (Apr 1 - Jun 15): #3, #7, #8, #2, #1, #4.
    assert (trend.before, trend.after, trend.window_days, trend.after_days) == (3, 6, 90, 76)
    # Daily rate 6/76 against 3/90: up 137%.
    assert trend.change == Decimal("137")


def test_trend_windows_are_configurable(source, settings):
    settings.REFERRALS_VISIT_TREND_DAYS = 30
    visit = visit_to(source, visited_on=dt.date(2026, 5, 1))

    trend = referral_source_profile(source=source, as_of=AS_OF).trend_around_visits[visit.pk]

    # Apr 1 - Apr 30: #3. May 1 - May 30: #7, #8, #2.
    assert (trend.before, trend.after, trend.after_days) == (1, 3, 30)


@pytest.mark.parametrize(
    ("limit", "near", "over"),
    [
        ("519.00", False, False),  # 375 is under 80% of 519 (415.20)
        ("450.00", True, False),  # 375 is over 80% of 450 (360)
        ("375.00", True, False),  # exactly at the limit: near, not over
        ("374.99", False, True),
    ],
)
def test_gift_value_summed_per_year_with_the_limit_warning(source, settings, limit, near, over):
    settings.REFERRALS_GIFT_ANNUAL_LIMIT = limit
    other = ReferralSourceFactory()
    visit_to(source, visited_on=dt.date(2026, 2, 1), gift_values=[Decimal("300.00")])
    # A $150 lunch for two practices: this source's share is $75.
    visit_to(
        source, other, visited_on=dt.date(2026, 5, 1), gift_values=[Decimal("75"), Decimal("75")]
    )
    visit_to(source, visited_on=dt.date(2025, 11, 1), gift_values=[Decimal("50.00")])
    visit_to(source, visited_on=dt.date(2026, 5, 20))  # no gift: not counted

    years = referral_source_profile(source=source, as_of=AS_OF).gift_years

    assert [(year.year, year.total, year.visits) for year in years] == [
        (2026, Decimal("375.00"), 2),
        (2025, Decimal("50.00"), 1),
    ]
    assert (years[0].is_near_limit, years[0].is_over_limit) == (near, over)


def test_leakage_alone_matches_the_profile_for_dashboards(source, profile):
    alone = figures.referral_leakage_by_service_line(leads=source.leads.all())
    assert alone == profile.leakage_by_service_line
