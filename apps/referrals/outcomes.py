"""What each referral figure counts: one definition for the source profile and the
managers' dashboards, so the two never disagree.

Each outcome is written for both readers: `leads` filters Lead (the profile,
apps.referrals.figures), `facts` is the same condition over the dashboards' fact row of
a lead (alias f: its current stage's kind and id, lost reason, furthest stage reached,
appointment and summary times; apps.dashboards builds its referral rollup and
drill-downs from it). tests/referrals/test_figures_agree.py holds the two to the same
leads.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from apps.leads.choices import ActivityKind, LostReason
from apps.leads.models import Activity
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import PipelineStage, StageKind


@dataclass(frozen=True)
class ReferralOutcome:
    """One referral outcome: `leads` over Lead, `facts` over a fact row (see above)."""

    name: str
    leads: Q
    facts: str


def _reached_scheduled() -> Q:
    # Reached Scheduled, as the funnel counts it: at Scheduled or a later open or won
    # stage now, or moved to one on the way (a lead lost after its appointment counts).
    scheduled = Subquery(
        PipelineStage.objects.filter(slug=DefaultStage.SCHEDULED).values("position")[:1]
    )
    reached = Q(stage__kind__in=(StageKind.OPEN, StageKind.WON), stage__position__gte=scheduled)
    moved = Exists(
        Activity.objects.filter(
            lead=OuterRef("pk"),
            kind=ActivityKind.STAGE_CHANGE,
            to_stage__kind__in=(StageKind.OPEN, StageKind.WON),
            to_stage__position__gte=scheduled,
        )
    )
    return reached | Q(moved)


def _stage_sql(column: str, slug: str) -> str:
    # Our column names and stage slugs only, never input.
    return f"(SELECT s.{column} FROM pipeline_pipelinestage s WHERE s.slug = '{slug}')"  # noqa: S608


_LOST_SQL = "f.stage_kind = 'lost'"
REFERRAL_OUTCOMES = (
    ReferralOutcome(
        "scheduled",
        _reached_scheduled(),
        f"f.furthest_position >= {_stage_sql('position', DefaultStage.SCHEDULED)}",
    ),
    ReferralOutcome("completed", Q(stage__kind=StageKind.WON), "f.stage_kind = 'won'"),
    ReferralOutcome("lost", Q(stage__kind=StageKind.LOST), _LOST_SQL),
    ReferralOutcome(
        "referred_elsewhere",
        Q(stage__slug=DefaultStage.REFERRED_ELSEWHERE),
        f"f.stage_id = {_stage_sql('id', DefaultStage.REFERRED_ELSEWHERE)}",
    ),
    ReferralOutcome(
        "out_of_network",
        Q(stage__kind=StageKind.LOST, lost_reason=LostReason.OUT_OF_NETWORK),
        f"{_LOST_SQL} AND f.lost_reason = '{LostReason.OUT_OF_NETWORK}'",
    ),
    ReferralOutcome(
        "declined_by_patient",
        Q(stage__kind=StageKind.LOST, lost_reason=LostReason.DECLINED_BY_PATIENT),
        f"{_LOST_SQL} AND f.lost_reason = '{LostReason.DECLINED_BY_PATIENT}'",
    ),
    ReferralOutcome(
        "feedback_sent",
        Q(stage__kind=StageKind.WON, referral_feedback_sent_at__isnull=False),
        "f.stage_kind = 'won' AND f.referral_feedback_sent_at IS NOT NULL",
    ),
    ReferralOutcome(
        "with_appointment", Q(appointment_at__isnull=False), "f.appointment_at IS NOT NULL"
    ),
)
OUTCOME = {outcome.name: outcome.leads for outcome in REFERRAL_OUTCOMES}
OUTCOME_SQL = {outcome.name: outcome.facts for outcome in REFERRAL_OUTCOMES}
