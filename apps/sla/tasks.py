"""Celery tasks for the response clock."""

import logging

from celery import shared_task

from apps.sla import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def escalations_sweep() -> dict:
    """Fire due escalation steps (beat, every SLA_SWEEP_SECONDS). Safe to overlap."""
    result = services.escalations_sweep()
    if result.fired or result.skipped or result.new_missed_call_steps:
        logger.info(
            "escalation sweep: %d fired, %d skipped, %d alerts, %d missed calls watched",
            result.fired,
            result.skipped,
            result.alerts,
            result.new_missed_call_steps,
        )
    return {"fired": result.fired, "skipped": result.skipped, "alerts": result.alerts}
