"""The nightly classification over real referral histories in PostgreSQL."""

import datetime as dt

import pytest
from django.core.management import call_command

from apps.referral_sources.models import ReferralSource
from apps.referrals.models import ReferralSourceHealth
from apps.referrals.services import referrer_health_classify
from apps.referrals.tasks import referrer_health_classify as referrer_health_classify_task
from tests.factories import ReferralSourceFactory
from tests.referrals.conftest import AS_OF as AS_OF_NEW_YORK

# Day counts are absolute (24-hour days), so histories are built in UTC: in New York
# wall-clock time "120 days ago" would cross the March daylight-saving change.
AS_OF = AS_OF_NEW_YORK.astimezone(dt.UTC)

pytestmark = pytest.mark.django_db


def days_ago(*days: float) -> list[dt.datetime]:
    return [AS_OF - dt.timedelta(days=day) for day in days]


def listed(days: int) -> ReferralSource:
    source = ReferralSourceFactory()
    # created_at is auto_now_add: set the listing date afterwards.
    ReferralSource.objects.filter(pk=source.pk).update(created_at=AS_OF - dt.timedelta(days=days))
    return source


HISTORIES = {
    # name: (days since listed, days ago of each referral)
    "new: first referral 10 days ago": (400, [10, 4]),
    "new: listed last month, no referral": (30, []),
    "inactive: never referred": (400, []),
    "inactive: last referral exactly 120 days ago": (500, [300, 200, 120]),
    "declining: last referral 119 days ago": (500, [300, 200, 119]),
    # One a day over the full baseline year (91..455 days ago): 90 expected.
    "declining: exactly 30% down": (500, [*range(91, 456), *range(1, 64)]),
    "active: just under 30% down": (500, [*range(91, 456), *range(1, 65)]),
    "active: steady every 10 days": (500, list(range(10, 451, 10))),
}


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("new: first referral 10 days ago", "new"),
        ("new: listed last month, no referral", "new"),
        ("inactive: never referred", "inactive"),
        ("inactive: last referral exactly 120 days ago", "inactive"),
        ("declining: last referral 119 days ago", "declining"),
        ("declining: exactly 30% down", "declining"),
        ("active: just under 30% down", "active"),
        ("active: steady every 10 days", "active"),
    ],
)
def test_classification_of_a_constructed_history(make_referrals, case, status):
    listed_days, referral_days = HISTORIES[case]
    source = listed(listed_days)
    make_referrals(source, days_ago(*referral_days))

    referrer_health_classify(as_of=AS_OF)

    assert ReferralSourceHealth.objects.get(source=source).status == status


def test_classification_stores_the_figures_it_used(make_referrals):
    source = listed(500)
    make_referrals(source, days_ago(*range(91, 456), *range(1, 64)))

    referrer_health_classify(as_of=AS_OF)

    health = ReferralSourceHealth.objects.get(source=source)
    assert (health.recent_referrals, health.baseline_referrals) == (63, 365)
    assert str(health.expected_recent_referrals) == "90.00"
    assert health.first_referral_at == AS_OF - dt.timedelta(days=455)
    assert health.last_referral_at == AS_OF - dt.timedelta(days=1)
    assert health.reason.startswith("63 referrals in the last 90 days against 90 expected")


def test_thresholds_come_from_settings(make_referrals, settings):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))
    settings.REFERRALS_HEALTH_INACTIVE_DAYS = 150

    referrer_health_classify(as_of=AS_OF)

    assert ReferralSourceHealth.objects.get(source=source).status == "declining"


def test_other_sources_referrals_do_not_count(make_referrals):
    quiet, busy = listed(500), listed(500)
    make_referrals(busy, days_ago(5, 6, 7))

    referrer_health_classify(as_of=AS_OF)

    assert ReferralSourceHealth.objects.get(source=quiet).status == "inactive"


def test_running_twice_gives_the_same_rows(make_referrals):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))
    first = referrer_health_classify(as_of=AS_OF)
    row = ReferralSourceHealth.objects.values().get(source=source)

    second = referrer_health_classify(as_of=AS_OF)

    assert first == second == {"inactive": 1}
    assert ReferralSourceHealth.objects.values().get(source=source) == row


def test_a_new_referral_changes_the_next_classification(make_referrals):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))
    referrer_health_classify(as_of=AS_OF)
    make_referrals(source, days_ago(2))

    referrer_health_classify(as_of=AS_OF)

    assert ReferralSourceHealth.objects.get(source=source).status == "active"


def test_referrals_after_the_as_of_moment_are_ignored(make_referrals):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120, -1))

    referrer_health_classify(as_of=AS_OF)

    assert ReferralSourceHealth.objects.get(source=source).status == "inactive"


def test_classification_is_one_aggregate_query_whatever_the_number_of_leads(
    make_referrals, django_assert_num_queries
):
    for _ in range(3):
        make_referrals(listed(500), days_ago(*range(1, 400, 7)))
    # savepoint, advisory lock, one aggregate over the leads, the sources, one upsert,
    # release: the same six for 3 sources or 3,000, for 100 leads or a million.
    with django_assert_num_queries(6):
        referrer_health_classify(as_of=AS_OF)


def test_management_command_classifies_on_demand(make_referrals, capsys):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))

    call_command("classify_referrer_health", "--as-of", AS_OF.isoformat())

    assert ReferralSourceHealth.objects.get(source=source).status == "inactive"
    assert "Classified 1 referral sources: 1 inactive." in capsys.readouterr().out


def test_task_takes_an_iso_timestamp_and_no_personal_data(make_referrals):
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))

    assert referrer_health_classify_task(AS_OF.isoformat()) == {"inactive": 1}
    assert ReferralSourceHealth.objects.get(source=source).status == "inactive"


def test_nightly_jobs_are_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.referrals.tasks.referrer_health_classify" in tasks
    assert "apps.referrals.tasks.referral_feedback_overdue_sweep" in tasks


def test_day_counts_are_absolute_whatever_the_time_zone_of_as_of(make_referrals):
    # 120 x 24 hours before mid-June noon in New York is Feb 15, 11:00 EST: across the
    # March daylight-saving change, wall-clock arithmetic would be an hour off.
    source = listed(500)
    make_referrals(source, days_ago(300, 200, 120))

    referrer_health_classify(as_of=AS_OF_NEW_YORK)

    assert ReferralSourceHealth.objects.get(source=source).status == "inactive"


def test_classification_keeps_the_service_lines_referred_for_in_12_months(
    make_referrals, orthopedics
):
    from tests.factories import ServiceLineFactory

    cardiology = ServiceLineFactory(slug="cardiology")
    imaging = ServiceLineFactory(slug="imaging")
    source = listed(500)
    make_referrals(source, days_ago(10, 200))  # orthopedics
    make_referrals(source, days_ago(364), service_line=cardiology)
    make_referrals(source, days_ago(366), service_line=imaging)  # too long ago

    referrer_health_classify(as_of=AS_OF)

    health = ReferralSourceHealth.objects.get(source=source)
    assert health.service_line_ids == sorted([orthopedics.pk, cardiology.pk])
