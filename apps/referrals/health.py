"""The referrer health rule, kept apart from the database so it reads like the policy.

A source is, in this order of precedence:
- new: its history (first referral, or its listing when it has none) began less than
  `new_days` ago; there is nothing yet to judge it against;
- inactive: no referral in the last `inactive_days` (a referral exactly that long ago
  no longer counts);
- declining: referrals in the last `recent_days` down `decline_percent` or more against
  its rate over the `baseline_days` before them (exactly the threshold is declining).
  The baseline rate is taken over the part of that window the source was referring in,
  so a source that started eight months ago is compared with its eight months, not with
  four empty months it never had;
- active: everything else.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.referrals.choices import HealthStatus
from apps.referrals.conf import HealthThresholds

_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class ReferralHistory:
    """What the rule needs to know about one source, counted as of one moment."""

    listed_at: dt.datetime
    first_referral_at: dt.datetime | None
    last_referral_at: dt.datetime | None
    recent_referrals: int
    baseline_referrals: int


@dataclass(frozen=True)
class HealthVerdict:
    status: str
    reason: str
    expected_recent_referrals: Decimal


@dataclass(frozen=True)
class HealthWindows:
    """The time windows the counts are taken over, as of one moment.

    recent:   [recent_start, as_of]
    baseline: [baseline_start, recent_start)
    """

    as_of: dt.datetime
    recent_start: dt.datetime
    baseline_start: dt.datetime

    @classmethod
    def ending(cls, *, as_of: dt.datetime, thresholds: HealthThresholds) -> "HealthWindows":
        recent_start = as_of - dt.timedelta(days=thresholds.recent_days)
        return cls(
            as_of=as_of,
            recent_start=recent_start,
            baseline_start=recent_start - dt.timedelta(days=thresholds.baseline_days),
        )


def health_classify(
    *, history: ReferralHistory, as_of: dt.datetime, thresholds: HealthThresholds
) -> HealthVerdict:
    """Classify one source from its referral history (see the module docstring)."""
    as_of = as_of.astimezone(dt.UTC)  # absolute days, not wall-clock days across DST
    windows = HealthWindows.ending(as_of=as_of, thresholds=thresholds)
    history_start = history.first_referral_at or history.listed_at
    expected = _expected_recent(history=history, windows=windows, history_start=history_start)

    if history_start > as_of - dt.timedelta(days=thresholds.new_days):
        if history.first_referral_at is None:
            reason = f"Listed {_days_ago(history.listed_at, as_of)}; no referral yet."
        else:
            reason = f"First referral {_days_ago(history.first_referral_at, as_of)}."
        return HealthVerdict(HealthStatus.NEW, reason, expected or Decimal("0.00"))

    if history.last_referral_at is None:
        return HealthVerdict(HealthStatus.INACTIVE, "No referral on record.", Decimal("0.00"))
    if history.last_referral_at <= as_of - dt.timedelta(days=thresholds.inactive_days):
        days = (as_of - history.last_referral_at).days
        return HealthVerdict(
            HealthStatus.INACTIVE,
            f"No referral in {days} days.",
            expected or Decimal("0.00"),
        )

    recent = history.recent_referrals
    window = f"the last {thresholds.recent_days} days"
    if expected is not None and _is_declining(
        history=history, windows=windows, history_start=history_start, thresholds=thresholds
    ):
        drop = ((1 - Decimal(recent) / expected) * 100).quantize(Decimal("1"), ROUND_HALF_UP)
        return HealthVerdict(
            HealthStatus.DECLINING,
            f"{_referrals(recent)} in {window} against {_number(expected)} expected "
            f"from the months before (down {drop}%).",
            expected,
        )
    if expected is None:
        reason = f"{_referrals(recent)} in {window}."
    else:
        reason = f"{_referrals(recent)} in {window} ({_number(expected)} expected)."
    return HealthVerdict(HealthStatus.ACTIVE, reason, expected or Decimal("0.00"))


def _baseline_span(*, windows: HealthWindows, history_start: dt.datetime) -> dt.timedelta | None:
    """How much of the baseline window the source was referring in, or None if none."""
    start = max(windows.baseline_start, history_start)
    span = windows.recent_start - start
    return span if span > dt.timedelta(0) else None


def _expected_recent(
    *, history: ReferralHistory, windows: HealthWindows, history_start: dt.datetime
) -> Decimal | None:
    """The baseline rate scaled to the recent window; None without any baseline."""
    span = _baseline_span(windows=windows, history_start=history_start)
    if span is None or history.baseline_referrals == 0:
        return None
    recent_span = windows.as_of - windows.recent_start
    expected = Decimal(history.baseline_referrals) * Decimal(recent_span // _MICROSECOND)
    expected /= Decimal(span // _MICROSECOND)
    return expected.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _is_declining(
    *,
    history: ReferralHistory,
    windows: HealthWindows,
    history_start: dt.datetime,
    thresholds: HealthThresholds,
) -> bool:
    # recent / recent_span <= (1 - p/100) * baseline / baseline_span, in whole
    # microseconds and integers so the exact threshold is never lost to rounding.
    span = _baseline_span(windows=windows, history_start=history_start)
    if span is None or history.baseline_referrals == 0:
        return False
    recent_span = (windows.as_of - windows.recent_start) // _MICROSECOND
    return (
        history.recent_referrals * (span // _MICROSECOND) * 100
        <= (100 - thresholds.decline_percent) * history.baseline_referrals * recent_span
    )


def _days_ago(moment: dt.datetime, as_of: dt.datetime) -> str:
    days = (as_of - moment).days
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _referrals(count: int) -> str:
    return "1 referral" if count == 1 else f"{count} referrals"


def _number(value: Decimal) -> str:
    """9.00 -> "9", 12.02 -> "12", 9.46 -> "9.5": what a person would write."""
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}"
