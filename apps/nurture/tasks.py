"""Celery tasks of nurture: ids in, database claims inside, safe to run twice."""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from apps.core.queueing import task_queue
from apps.nurture import delivery, services

logger = logging.getLogger(__name__)

DELIVERY_TASK = "apps.nurture.tasks.nurture_send_deliver"


@shared_task(acks_late=True)
def nurture_sweep() -> dict[str, int]:
    """Beat, every NURTURE_SWEEP_SECONDS: leads entering and leaving tracks, then the
    due sends handed to workers (one `nurture_send_deliver` per send, ids only)."""
    changes = services.nurture_changes_sweep()
    send_ids = delivery.nurture_sends_queue(requeue_lost=_delivery_queue_is_empty())
    queued = 0
    for send_id in send_ids:
        if not task_queue(nurture_send_deliver, send_id):
            # The broker is down: the sends stay pending for a later sweep.
            logger.warning("nurture sends not queued: %d left", len(send_ids) - queued)
            delivery.nurture_sends_unqueue(send_ids=send_ids[queued:])
            break
        queued += 1
    return {"entered": changes.entered, "exited": changes.exited, "queued": queued}


def _delivery_queue_is_empty() -> bool:
    """True when the broker holds no delivery waiting for a worker. Only then is a send
    queued long ago and still unclaimed known to have lost its task (a worker died
    holding it); during a backlog it is simply still in line."""
    queue = settings.CELERY_TASK_ROUTES.get(DELIVERY_TASK, {}).get("queue", "celery")
    try:
        with nurture_send_deliver.app.connection_for_read() as connection:
            try:
                declared = connection.default_channel.queue_declare(queue=queue, passive=True)
            except connection.channel_errors:
                return True  # no such queue: nothing waits in it (Redis drops empty lists)
    except Exception:  # broker unreachable: nothing can be queued anyway
        return False
    return declared.message_count == 0


@shared_task(acks_late=True)
def nurture_hourly_sweep() -> dict[str, int]:
    """Beat, hourly: Not ready leads whose re-contact date has come enter their tracks,
    and every active enrollment is checked against the exit rules."""
    return {
        "entered": services.nurture_reengagement_sweep(),
        "exited": services.nurture_exits_sweep(),
    }


@shared_task(bind=True, acks_late=True, max_retries=None)
def nurture_send_deliver(self, send_id: int) -> str:
    """Deliver one send (claimed in the database first, so it goes at most once).
    Mail server and SMS provider errors are retried with jittered exponential backoff
    until NURTURE_SEND_MAX_ATTEMPTS; the send then stays failed for staff to see."""
    try:
        return delivery.nurture_send_deliver(send_id=send_id)
    except delivery.SendAttemptFailed as failure:
        if not failure.will_retry:
            return "failed"
        countdown = get_exponential_backoff_interval(
            factor=10, retries=failure.attempts - 1, maximum=600, full_jitter=True
        )
        raise self.retry(exc=failure, countdown=countdown) from failure
