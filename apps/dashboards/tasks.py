"""Celery beat tasks keeping the dashboards' rollup fresh. No arguments, safe to run
twice or side by side: each recomputes rows from the source, under one lock."""

import logging

from celery import shared_task

from apps.dashboards import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def dashboard_facts_refresh() -> int | None:
    """Every minute: bring the rows of leads created or touched since then up to date."""
    written = services.lead_facts_refresh()
    if written is None:
        logger.info("dashboard facts refresh skipped: another refresh is running")
    return written


@shared_task(acks_late=True)
def dashboard_facts_rebuild() -> int | None:
    """Nightly: recompute every row, catching edits that left no activity behind."""
    written = services.lead_facts_rebuild()
    logger.info("dashboard facts rebuilt: %s rows written or removed", written)
    return written
