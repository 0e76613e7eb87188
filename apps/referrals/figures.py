"""Referral figures of the source profile, computed in PostgreSQL: one aggregate query
each, never a Python loop over leads.

Each function takes a queryset of leads already narrowed by the caller (one source's
referrals). What each outcome counts comes from apps.referrals.outcomes, which the
managers' dashboards count by too, so the two never disagree.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from apps.leads.choices import LostReason
from apps.leads.models import Lead
from apps.referrals.conf import gift_annual_limit, gift_warning_threshold
from apps.referrals.models import LiaisonVisitSource
from apps.referrals.outcomes import OUTCOME


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression), FILTER-able.

    `fraction` is a number chosen by our code (0.5 for the median), never user input.
    """

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class DaysBetween(Func):
    """(later - earlier) in days, as a float: EXTRACT(EPOCH FROM interval) / 86400."""

    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


def _days(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- Volume ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthVolume:
    month: dt.date  # the first day of the month, in the hospital's time zone
    referrals: int


def referral_volume_by_month(
    *, leads: QuerySet[Lead], as_of: dt.datetime | None = None, months: int = 12
) -> list[MonthVolume]:
    """Referrals per calendar month (hospital time zone) for the last `months` months,
    the current one included, with empty months as zeros."""
    as_of = timezone.localtime(as_of or timezone.now())
    month_starts = _month_starts(today=as_of.date(), months=months)
    start = timezone.make_aware(dt.datetime.combine(month_starts[0], dt.time.min))
    counts = {
        row["month"].date(): row["referrals"]
        for row in leads.filter(created_at__gte=start, created_at__lte=as_of)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(referrals=Count("id"))
    }
    return [MonthVolume(month=month, referrals=counts.get(month, 0)) for month in month_starts]


def _month_starts(*, today: dt.date, months: int) -> list[dt.date]:
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


# --- How far referred leads got, per service line --------------------------------------


@dataclass(frozen=True)
class ServiceLineProgress:
    service_line_id: int
    service_line: str
    referrals: int
    scheduled: int  # ever reached Scheduled (completed ones included)
    completed: int
    lost: int
    open: int

    @property
    def scheduled_share(self) -> Decimal | None:
        return _share(self.scheduled, self.referrals)

    @property
    def completed_share(self) -> Decimal | None:
        return _share(self.completed, self.referrals)


def referral_progress_by_service_line(*, leads: QuerySet[Lead]) -> list[ServiceLineProgress]:
    """Per service line: referrals, how many reached Scheduled, Completed, were lost,
    and how many are still open; busiest line first."""
    rows = (
        leads.order_by()
        .values("service_line_id", "service_line__name")
        .annotate(
            referrals=Count("id"),
            scheduled=Count("id", filter=OUTCOME["scheduled"]),
            completed=Count("id", filter=OUTCOME["completed"]),
            lost=Count("id", filter=OUTCOME["lost"]),
            open=Count("id", filter=Q(closed_at__isnull=True)),
        )
        .order_by("-referrals", "service_line__name")
    )
    return [
        ServiceLineProgress(
            service_line_id=row["service_line_id"],
            service_line=row["service_line__name"],
            referrals=row["referrals"],
            scheduled=row["scheduled"],
            completed=row["completed"],
            lost=row["lost"],
            open=row["open"],
        )
        for row in rows
    ]


def referral_median_days_to_appointment(*, leads: QuerySet[Lead]) -> Decimal | None:
    """Median days from the referral (lead created) to the appointment, over the leads
    that have an appointment; None when none has."""
    result = leads.filter(OUTCOME["with_appointment"]).aggregate(
        median=Percentile(DaysBetween(F("appointment_at"), F("created_at")), fraction=0.5)
    )
    return _days(result["median"])


# --- Leakage ----------------------------------------------------------------------------


@dataclass
class ServiceLineLeakage:
    service_line_id: int
    service_line: str
    referrals: int = 0
    lost: int = 0
    referred_elsewhere: int = 0
    out_of_network: int = 0
    declined_by_patient: int = 0
    # Every reason code staff chose, with its count, most frequent first.
    reasons: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def lost_share(self) -> Decimal | None:
        return _share(self.lost, self.referrals)


_REASON_LABELS = dict(LostReason.choices)


def referral_leakage_by_service_line(
    *, leads: QuerySet[Lead], progress: list[ServiceLineProgress] | None = None
) -> list[ServiceLineLeakage]:
    """Per service line: referred leads lost, of which referred elsewhere (the stage),
    out of network and declined by the patient (reason codes), and every reason code
    chosen with its count. Lines with no loss are left out; most leakage first.

    `progress`, when the caller already has it for the same leads, gives the referral
    totals per line and saves a query.
    """
    if progress is None:
        progress = referral_progress_by_service_line(leads=leads)
    totals = {line.service_line_id: line.referrals for line in progress}
    rows = (
        leads.filter(OUTCOME["lost"])
        .order_by()
        .values("service_line_id", "service_line__name", "lost_reason")
        .annotate(
            lost=Count("id"),
            referred_elsewhere=Count("id", filter=OUTCOME["referred_elsewhere"]),
        )
    )
    by_line: dict[int, ServiceLineLeakage] = {}
    for row in rows:  # one row per (service line, reason code): a handful
        line = by_line.setdefault(
            row["service_line_id"],
            ServiceLineLeakage(
                service_line_id=row["service_line_id"],
                service_line=row["service_line__name"],
                referrals=totals.get(row["service_line_id"], 0),
            ),
        )
        code = row["lost_reason"]
        line.lost += row["lost"]
        line.referred_elsewhere += row["referred_elsewhere"]
        if code == LostReason.OUT_OF_NETWORK:
            line.out_of_network += row["lost"]
        elif code == LostReason.DECLINED_BY_PATIENT:
            line.declined_by_patient += row["lost"]
        line.reasons.append((code, _REASON_LABELS.get(code, "No reason given"), row["lost"]))
    for line in by_line.values():
        line.reasons.sort(key=lambda reason: (-reason[2], reason[1]))
    return sorted(by_line.values(), key=lambda line: (-line.lost, line.service_line))


# --- Closed loop ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedLoop:
    completed: int
    feedback_sent: int
    median_days_to_send: Decimal | None

    @property
    def sent_share(self) -> Decimal | None:
        return _share(self.feedback_sent, self.completed)

    @property
    def awaiting(self) -> int:
        return self.completed - self.feedback_sent


def referral_closed_loop(*, leads: QuerySet[Lead]) -> ClosedLoop:
    """Of the completed referrals, how many had their visit summary sent back to the
    referrer, and the median days from completion to sending it."""
    sent = OUTCOME["feedback_sent"]
    result = leads.filter(OUTCOME["completed"]).aggregate(
        completed=Count("id"),
        feedback_sent=Count("id", filter=sent),
        median=Percentile(
            DaysBetween(F("referral_feedback_sent_at"), F("converted_at")),
            fraction=0.5,
            filter=sent & Q(converted_at__isnull=False),
        ),
    )
    return ClosedLoop(
        completed=result["completed"],
        feedback_sent=result["feedback_sent"],
        median_days_to_send=_days(result["median"]),
    )


# --- Gifts and meals (Stark Law / anti-kickback records) -------------------------------


@dataclass(frozen=True)
class GiftYear:
    year: int
    total: Decimal
    visits: int
    limit: Decimal
    warning_from: Decimal

    @property
    def is_over_limit(self) -> bool:
        return self.total > self.limit

    @property
    def is_near_limit(self) -> bool:
        return self.warning_from <= self.total <= self.limit

    @property
    def remaining(self) -> Decimal:
        return max(self.limit - self.total, Decimal("0.00"))


def referral_gift_value_by_year(*, source_id: int) -> list[GiftYear]:
    """The value of meals and items given to one source per calendar year, newest year
    first, with whether it is near or over the configurable annual limit."""
    limit, warning_from = gift_annual_limit(), gift_warning_threshold()
    rows = (
        LiaisonVisitSource.objects.filter(source_id=source_id, gift_value__gt=0)
        .annotate(year=ExtractYear("visited_on"))
        .order_by()
        .values("year")
        .annotate(total=Sum("gift_value"), visits=Count("id"))
        .order_by("-year")
    )
    return [
        GiftYear(
            year=row["year"],
            total=row["total"],
            visits=row["visits"],
            limit=limit,
            warning_from=warning_from,
        )
        for row in rows
    ]


def gift_split_evenly(*, total: Decimal, parts: int) -> list[Decimal]:
    """$100.00 over 3 sources is 33.34 + 33.33 + 33.33: the shares always add up."""
    cents = int(total * 100)
    share, extra = divmod(cents, parts)
    return [Decimal(share + (1 if index < extra else 0)) / 100 for index in range(parts)]


def gift_totals_in_year(
    *, source_ids: list[int], year: int, exclude_visit_id: int | None = None
) -> dict[int, Decimal]:
    """Each source's gifts and meals so far in a calendar year (the visit being edited
    left out), from the (source, visited_on) index."""
    rows = (
        LiaisonVisitSource.objects.filter(
            source_id__in=source_ids,
            visited_on__gte=dt.date(year, 1, 1),
            visited_on__lte=dt.date(year, 12, 31),
            gift_value__gt=0,
        )
        .exclude(visit_id=exclude_visit_id)
        .order_by()
        .values("source_id")
        .annotate(total=Sum("gift_value"))
    )
    return {row["source_id"]: row["total"] for row in rows}


def gift_over_limit(
    *, sources: list, visited_on: dt.date, gift_value: Decimal, exclude_visit_id=None
) -> list:
    """The sources whose yearly total this visit's gift would take over the limit."""
    if not sources or not gift_value:
        return []
    totals = gift_totals_in_year(
        source_ids=[source.pk for source in sources],
        year=visited_on.year,
        exclude_visit_id=exclude_visit_id,
    )
    shares = gift_split_evenly(total=gift_value, parts=len(sources))
    limit = gift_annual_limit()
    return [
        source
        for source, share in zip(sources, shares, strict=True)
        if totals.get(source.pk, Decimal("0")) + share > limit
    ]


# --- Trend around liaison visits --------------------------------------------------------


@dataclass(frozen=True)
class VisitTrend:
    visit_id: int
    visited_on: dt.date
    kind: str
    before: int
    after: int
    window_days: int
    after_days: int  # less than window_days while the window after is still running

    @property
    def change(self) -> Decimal | None:
        """Change in the daily referral rate after the visit against before, in %."""
        if not self.before or not self.after_days:
            return None
        before_rate = Decimal(self.before) / self.window_days
        after_rate = Decimal(self.after) / self.after_days
        return ((after_rate - before_rate) * 100 / before_rate).quantize(Decimal("1"))


def referral_trend_around_visits(
    *,
    leads: QuerySet[Lead],
    visits: list[tuple[int, dt.date, str]],
    window_days: int,
    as_of: dt.datetime | None = None,
) -> list[VisitTrend]:
    """Referrals in the `window_days` before each visit against the `window_days` from
    it on (the visit day counts as after), in one query with a FILTER per visit.

    `visits` are (id, date, kind) tuples; days run midnight to midnight in the
    hospital's time zone.
    """
    if not visits:
        return []
    as_of = as_of or timezone.now()
    today = timezone.localtime(as_of).date()
    window = dt.timedelta(days=window_days)

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    counts = {}
    for visit_id, visited_on, _kind in visits:
        start = midnight(visited_on)
        counts[f"before_{visit_id}"] = Count(
            "id", filter=Q(created_at__gte=midnight(visited_on - window), created_at__lt=start)
        )
        counts[f"after_{visit_id}"] = Count(
            "id", filter=Q(created_at__gte=start, created_at__lt=midnight(visited_on + window))
        )
    earliest = min(visited_on for _id, visited_on, _kind in visits) - window
    latest = max(visited_on for _id, visited_on, _kind in visits) + window
    result = leads.filter(
        created_at__gte=midnight(earliest), created_at__lt=midnight(latest)
    ).aggregate(**counts)
    return [
        VisitTrend(
            visit_id=visit_id,
            visited_on=visited_on,
            kind=kind,
            before=result[f"before_{visit_id}"],
            after=result[f"after_{visit_id}"],
            window_days=window_days,
            after_days=max(0, min(window_days, (today - visited_on).days + 1)),
        )
        for visit_id, visited_on, kind in visits
    ]
