"""Celery tasks of the referrals app: no personal data in, safe to run twice."""

import datetime as dt
import logging

from celery import shared_task

from apps.referrals import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def referrer_health_classify(as_of: str | None = None) -> dict[str, int]:
    """Classify every referral source (beat, nightly; and the on-demand button).

    `as_of` is an ISO timestamp, for replaying a night; by default now. Rewrites the
    same rows when run twice.
    """
    moment = dt.datetime.fromisoformat(as_of) if as_of else None
    statuses = services.referrer_health_classify(as_of=moment)
    logger.info("referrer health classified: %s", statuses)
    return statuses


@shared_task(acks_late=True)
def referral_feedback_overdue_sweep() -> int:
    """Alert owners of completed referrals still waiting for their summary (beat,
    daily). The alert's uniqueness makes a second run a no-op."""
    fired = services.referral_feedback_overdue_alerts_fire()
    if fired:
        logger.info("referral feedback overdue: %d alerts", fired)
    return fired
