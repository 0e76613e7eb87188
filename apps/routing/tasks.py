"""Celery tasks of routing. They take lead ids only and are safe to run twice: the
services claim each lead in the database."""

import logging

from celery import shared_task

from apps.routing import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def route_lead(lead_id: int) -> None:
    """Route one new lead (queued by intake after its transaction commits)."""
    services.lead_route(lead_id=lead_id)


@shared_task(acks_late=True, ignore_result=True)
def routing_sweep() -> dict:
    """Route leads left unrouted and retry waiting ones (beat, every few seconds)."""
    result = services.routing_sweep()
    if result["routed"] or result["owners_found"]:
        logger.info(
            "routing sweep: %d routed, %d waiting retried, %d owners found",
            result["routed"],
            result["retried"],
            result["owners_found"],
        )
    return result
