"""The configurable thresholds of the referrals app, read from settings at call time
(so tests and admins can change them without a restart of anything but the process)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class HealthThresholds:
    """What makes a referral source new, declining or inactive."""

    recent_days: int = 90
    baseline_days: int = 365
    decline_percent: int = 30
    inactive_days: int = 120
    new_days: int = 120

    @classmethod
    def from_settings(cls) -> "HealthThresholds":
        return cls(
            recent_days=settings.REFERRALS_HEALTH_RECENT_DAYS,
            baseline_days=settings.REFERRALS_HEALTH_BASELINE_DAYS,
            decline_percent=settings.REFERRALS_HEALTH_DECLINE_PERCENT,
            inactive_days=settings.REFERRALS_HEALTH_INACTIVE_DAYS,
            new_days=settings.REFERRALS_HEALTH_NEW_DAYS,
        )


def feedback_due_days() -> int:
    """Days a completed referral may wait for its summary before the owner is alerted."""
    return settings.REFERRALS_FEEDBACK_DUE_DAYS


def gift_annual_limit() -> Decimal:
    return Decimal(str(settings.REFERRALS_GIFT_ANNUAL_LIMIT))


def gift_warning_threshold() -> Decimal:
    """From this yearly total on, a profile warns that the limit is near."""
    return (gift_annual_limit() * settings.REFERRALS_GIFT_WARNING_PERCENT / 100).quantize(
        Decimal("0.01")
    )


def visit_trend_days() -> int:
    return settings.REFERRALS_VISIT_TREND_DAYS
