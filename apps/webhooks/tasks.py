"""Celery tasks for webhooks: ids in, database claims inside, safe to run twice."""

from celery import shared_task
from django.db import transaction

from apps.alerts.services import webhook_endpoint_disabled_alert
from apps.core.queueing import task_queue
from apps.webhooks import delivery

# One task sends at most this many before leaving the rest to the next task or sweep,
# so one busy endpoint cannot hold a worker for ever.
DELIVERIES_PER_TASK = 500


@shared_task(acks_late=True)
def webhook_endpoint_deliver(endpoint_id: int) -> int:
    """Send an endpoint's due deliveries, oldest first, one claim at a time."""
    sent = 0
    for _ in range(DELIVERIES_PER_TASK):
        claimed = delivery.delivery_claim(endpoint_id=endpoint_id)
        if claimed is None:
            break
        status_code, error, latency_ms = delivery.delivery_send(delivery=claimed)
        with transaction.atomic():
            outcome = delivery.delivery_outcome_record(
                delivery=claimed, status_code=status_code, error=error, latency_ms=latency_ms
            )
            if outcome.endpoint_disabled:
                # Same transaction as the disablement: the owner always hears of it.
                webhook_endpoint_disabled_alert(
                    endpoint_id=endpoint_id, owner_id=claimed.endpoint.owner_id
                )
        sent += outcome.delivered
    return sent


@shared_task
def webhook_deliveries_sweep() -> int:
    """Queue the endpoints with due retries or lost claims (beat, every few seconds)."""
    endpoint_ids = delivery.deliveries_due_endpoints()
    for endpoint_id in endpoint_ids:
        task_queue(webhook_endpoint_deliver, endpoint_id)
    return len(endpoint_ids)
