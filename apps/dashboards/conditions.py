"""The conditions behind each number, written once in SQL over the rollup (alias `f`).

A panel counts `count(*) FILTER (WHERE <condition>)`; the drill-down list of that
number selects the rows matching the same condition. Sharing the text is what makes
the list hold exactly the leads behind the number.

Every fragment is ours; values come in as named query parameters (`%(name)s`).
"""

import datetime as dt
from dataclasses import dataclass

from apps.referrals.outcomes import OUTCOME_SQL

# --- Funnel -----------------------------------------------------------------------------


# A lead reached a stage when its furthest open or won stage is that one or later: the
# funnel counts a lead that went New -> Contacted -> Qualified -> Scheduled at all of
# them, and at Attempting contact too, even if it skipped that step or is lost now.
def reached_slug(param: str) -> str:
    """Reached the stage whose slug is the query parameter `param`."""
    return (
        "f.furthest_position >= (SELECT s.position FROM pipeline_pipelinestage s"  # noqa: S608
        f" WHERE s.slug = %({param})s)"
    )


# --- Current state ----------------------------------------------------------------------

OPEN = "f.closed_at IS NULL"
WON = "f.stage_kind = 'won'"
LOST = "f.stage_kind = 'lost'"
AT_STAGE = "f.stage_id = (SELECT s.id FROM pipeline_pipelinestage s WHERE s.slug = %(stage)s)"
LOST_FOR_REASON = "f.stage_kind = 'lost' AND f.lost_reason = %(lost_reason)s"

STATES = {"open": OPEN, "won": WON, "lost": LOST}

# --- Response time ----------------------------------------------------------------------

RESPONSE_SECONDS = "f.response_seconds"
ANSWERED = "f.first_response_at IS NOT NULL"
UNANSWERED = "f.first_response_at IS NULL"
SLA_MET = "f.first_response_at <= f.sla_due_at"
ANSWERED_LATE = "f.first_response_at > f.sla_due_at"
# Not answered and due at some time: pending before it, missed after (see below).
UNANSWERED_DUE = "(f.first_response_at IS NULL AND f.sla_due_at IS NOT NULL)"
# Missed: answered late, or still unanswered after the due time.
SLA_MISSED = (
    "(f.first_response_at > f.sla_due_at"
    " OR (f.first_response_at IS NULL AND f.sla_due_at < %(now)s))"
)
# Still inside its response window: neither met nor missed yet, so left out of the share.
SLA_PENDING = "(f.first_response_at IS NULL AND f.sla_due_at >= %(now)s)"


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    lower: str | int | None  # inclusive; an interval literal, or seconds
    upper: str | int | None  # exclusive

    def condition(self, expression: str) -> str:
        parts = []
        for bound, operator in ((self.lower, ">="), (self.upper, "<")):
            if bound is None:
                continue
            value = f"interval '{bound}'" if isinstance(bound, str) else str(bound)
            parts.append(f"{expression} {operator} {value}")
        return " AND ".join(parts) or "TRUE"


MINUTE, HOUR, DAY = 60, 3600, 86400
# The lower bound of the first response-time bin: below any real time to first response.
SMALLEST_SECONDS = -(2**31)
RESPONSE_BUCKETS = (
    Bucket("under_15m", "Under 15 minutes", None, 15 * MINUTE),
    Bucket("15m_1h", "15 to 60 minutes", 15 * MINUTE, HOUR),
    Bucket("1h_4h", "1 to 4 hours", HOUR, 4 * HOUR),
    Bucket("4h_1d", "4 to 24 hours", 4 * HOUR, DAY),
    Bucket("1d_3d", "1 to 3 days", DAY, 3 * DAY),
    Bucket("over_3d", "Over 3 days", 3 * DAY, None),
)


def response_bucket(bucket: Bucket) -> str:
    return f"{ANSWERED} AND {bucket.condition(RESPONSE_SECONDS)}"


RESPONSES = {
    "answered": ANSWERED,
    "unanswered": UNANSWERED,
    "sla_met": SLA_MET,
    "sla_missed": SLA_MISSED,
    "sla_pending": SLA_PENDING,
    **{bucket.key: response_bucket(bucket) for bucket in RESPONSE_BUCKETS},
}

# --- Time in stage of open leads --------------------------------------------------------

# The lower bound of the first bin of times a stage was entered: before any of them.
EARLIEST_ENTERED = dt.datetime(1, 1, 1, tzinfo=dt.UTC)

# Seconds an open lead has been at its current stage, as of the request.
SECONDS_IN_STAGE = "date_part('epoch', %(now)s - f.stage_entered_at)"

STALL_BUCKETS = (
    Bucket("under_1d", "Under a day", None, DAY),
    Bucket("1d_3d", "1 to 3 days", DAY, 3 * DAY),
    Bucket("3d_7d", "3 to 7 days", 3 * DAY, 7 * DAY),
    Bucket("7d_14d", "1 to 2 weeks", 7 * DAY, 14 * DAY),
    Bucket("14d_30d", "2 to 4 weeks", 14 * DAY, 30 * DAY),
    Bucket("over_30d", "Over 30 days", 30 * DAY, None),
)


def stalled(bucket: Bucket, seconds: str = SECONDS_IN_STAGE) -> str:
    """Open and `bucket` long at its stage; `seconds` may name a column holding
    SECONDS_IN_STAGE already worked out once per row."""
    return f"{OPEN} AND {bucket.condition(seconds)}"


STALLS = {bucket.key: stalled(bucket) for bucket in STALL_BUCKETS}

# --- Referrals --------------------------------------------------------------------------

REFERRED = "f.referral_source_id IS NOT NULL"
HAS_APPOINTMENT = "f.appointment_at IS NOT NULL"
DAYS_TO_APPOINTMENT = "f.days_to_appointment"  # appointment_at - created_at, in days
# Referral outcomes as the source profile counts them (apps.referrals.outcomes).
FEEDBACK_SENT = OUTCOME_SQL["feedback_sent"]
FEEDBACK_AWAITED = "f.stage_kind = 'won' AND f.referral_feedback_sent_at IS NULL"
REFERRED_ELSEWHERE = OUTCOME_SQL["referred_elsewhere"]

FEEDBACK = {"sent": FEEDBACK_SENT, "awaited": FEEDBACK_AWAITED}
