"""The referrer health rule on constructed histories (no database)."""

import datetime as dt

import pytest

from apps.referrals.conf import HealthThresholds
from apps.referrals.health import ReferralHistory, health_classify

AS_OF = dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
DEFAULTS = HealthThresholds()


def days_ago(days: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=days)


def history(*, listed=800, first=None, last=None, recent=0, baseline=0) -> ReferralHistory:
    return ReferralHistory(
        listed_at=days_ago(listed),
        first_referral_at=days_ago(first) if first is not None else None,
        last_referral_at=days_ago(last) if last is not None else None,
        recent_referrals=recent,
        baseline_referrals=baseline,
    )


@pytest.mark.parametrize(
    ("case", "source_history", "status"),
    [
        ("listed last month, no referral yet", history(listed=30), "new"),
        ("first referral 10 days ago", history(first=10, last=2, recent=3), "new"),
        ("first referral 119 days ago", history(first=119, last=5, recent=4, baseline=1), "new"),
        # Exactly new_days ago is no longer new: it is judged like any other source.
        (
            "first referral exactly 120 days ago",
            history(first=120, last=5, recent=5, baseline=2),
            "active",
        ),
        ("listed long ago, never referred", history(listed=400), "inactive"),
        (
            "last referral exactly 120 days ago",
            history(first=400, last=120, baseline=9),
            "inactive",
        ),
        ("last referral 121 days ago", history(first=400, last=121, baseline=9), "inactive"),
        # 119 days: still counts as referring, but nothing in the last 90 days is a drop.
        ("last referral 119 days ago", history(first=400, last=119, baseline=9), "declining"),
        # Full year of baseline: 365 in 365 days is 90 expected; 63 is exactly 30% down.
        ("exactly 30% down", history(first=455, last=1, recent=63, baseline=365), "declining"),
        ("just under 30% down", history(first=455, last=1, recent=64, baseline=365), "active"),
        ("steady", history(first=455, last=1, recent=90, baseline=365), "active"),
        ("growing", history(first=455, last=1, recent=120, baseline=365), "active"),
        # Baseline taken over the 110 days it was referring (200 - 90): 11 -> 9 expected.
        (
            "partial baseline, down a third",
            history(first=200, last=3, recent=6, baseline=11),
            "declining",
        ),
        (
            "partial baseline, holding up",
            history(first=200, last=3, recent=7, baseline=11),
            "active",
        ),
        ("no baseline, referring now", history(first=130, last=3, recent=5, baseline=0), "active"),
    ],
)
def test_health_classification_on_constructed_histories(case, source_history, status):
    verdict = health_classify(history=source_history, as_of=AS_OF, thresholds=DEFAULTS)
    assert verdict.status == status, case


@pytest.mark.parametrize(
    ("thresholds", "status"),
    [
        (HealthThresholds(), "declining"),  # 33% down against 30%
        (HealthThresholds(decline_percent=34), "active"),
        (HealthThresholds(decline_percent=33), "declining"),  # 33.3% down: at the edge
        (HealthThresholds(inactive_days=60), "inactive"),  # last referral 70 days ago
        (HealthThresholds(new_days=365), "new"),  # first referral 200 days ago
    ],
)
def test_health_thresholds_are_configurable(thresholds, status):
    source = history(first=200, last=70, recent=6, baseline=11)
    assert health_classify(history=source, as_of=AS_OF, thresholds=thresholds).status == status


def test_declining_reason_names_the_drop_and_what_was_expected():
    verdict = health_classify(
        history=history(first=200, last=3, recent=6, baseline=11), as_of=AS_OF, thresholds=DEFAULTS
    )
    assert verdict.reason == (
        "6 referrals in the last 90 days against 9 expected from the months before (down 33%)."
    )
    assert str(verdict.expected_recent_referrals) == "9.00"


def test_inactive_reason_counts_the_days_since_the_last_referral():
    verdict = health_classify(
        history=history(first=400, last=143, baseline=4), as_of=AS_OF, thresholds=DEFAULTS
    )
    assert verdict.reason == "No referral in 143 days."
