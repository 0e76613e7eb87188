"""Sending the outbox: claim a delivery, sign it, POST it, record what happened.

Exactly once to a healthy receiver is the database's job: a worker claims one row with
a conditional UPDATE (pending and due, or a claim whose lease ran out because its
worker died), and only the claim's holder records the outcome. Order per lead: a
delivery is not claimable while an earlier one of the same lead to the same endpoint
is unfinished. Failures wait on `due_at` with exponential backoff and jitter (beat
sweeps them), over more than 24 h by default; after the last one the endpoint is
disabled and the caller alerts its owner.
"""

import datetime as dt
import json
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from standardwebhooks import Webhook

from apps.webhooks import addresses
from apps.webhooks.choices import DeliveryStatus
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.selectors import webhook_endpoints_cache_clear

OPEN = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    endpoint_disabled: bool = False


def _claimable(*, now: dt.datetime):
    earlier_open = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        lead_id=OuterRef("lead_id"),
        id__lt=OuterRef("id"),
        status__in=OPEN,
    )
    return WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, due_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
    ).exclude(Q(lead_id__isnull=False) & Exists(earlier_open))


@transaction.atomic
def delivery_claim(*, endpoint_id: int, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Take the oldest sendable delivery of an active endpoint, or None."""
    now = now or timezone.now()
    delivery = (
        _claimable(now=now)
        .filter(endpoint_id=endpoint_id, endpoint__is_active=True)
        .select_related("endpoint")
        .order_by("id")
        # Another worker's claim in progress is skipped, not waited for.
        .select_for_update(of=("self",), skip_locked=True)
        .first()
    )
    if delivery is None:
        return None
    delivery.status = DeliveryStatus.SENDING
    delivery.claimed_until = now + dt.timedelta(seconds=settings.WEBHOOK_CLAIM_LEASE_SECONDS)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.save(update_fields=["status", "claimed_until", "attempts", "last_attempt_at"])
    return delivery


def delivery_headers(*, delivery: WebhookDelivery, body: bytes, now: dt.datetime) -> dict:
    """The Standard Webhooks headers: id, timestamp and HMAC-SHA256 signature."""
    message_id = f"msg_{delivery.message_id.hex}"
    signature = Webhook(delivery.endpoint.secret).sign(message_id, now, body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "LeadCRM-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def delivery_send(*, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """POST a claimed delivery once: (status code or None, error, latency in ms)."""
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    started = time.monotonic()
    try:
        # Resolved and checked again now: the name may point elsewhere since it was saved.
        target = addresses.target_resolve(delivery.endpoint.url)
        headers = delivery_headers(delivery=delivery, body=body, now=timezone.now())
        status_code = addresses.post(
            target=target, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except addresses.AddressRefused as exc:
        return None, str(exc)[:200], 0
    except OSError as exc:
        error = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        return None, error[:200], round((time.monotonic() - started) * 1000)
    error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
    return status_code, error, round((time.monotonic() - started) * 1000)


def retry_delay(*, attempts: int) -> dt.timedelta | None:
    """How long to wait after `attempts` failed tries, with ±25% jitter so a receiver
    coming back is not hit by every endpoint's retries at the same second; None when
    the schedule is used up."""
    schedule = settings.WEBHOOK_RETRY_DELAYS
    if attempts > len(schedule):
        return None
    return dt.timedelta(seconds=schedule[attempts - 1] * random.uniform(0.75, 1.25))  # noqa: S311


# savepoint=False: the task wraps this and the owner's alert in one transaction.
@transaction.atomic(savepoint=False)
def delivery_outcome_record(
    *, delivery: WebhookDelivery, status_code: int | None, error: str, latency_ms: int
) -> Outcome:
    """Record one attempt, if the claim is still ours; schedule the retry or give up.

    Giving up disables the endpoint (the caller alerts its owner in this transaction).
    """
    now = timezone.now()
    delivered = not error
    fields = {"last_status_code": status_code, "last_error": error, "last_latency_ms": latency_ms}
    delay = None if delivered else retry_delay(attempts=delivery.attempts)
    if delivered:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, claimed_until=None)
    elif delay is not None:
        fields.update(status=DeliveryStatus.PENDING, due_at=now + delay, claimed_until=None)
    else:
        fields.update(status=DeliveryStatus.FAILED, claimed_until=None)
    # Only the claim's holder records: a worker whose lease ran out (and whose row was
    # taken over) changes nothing.
    recorded = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(**fields)
    if not recorded or delivered or delay is not None:
        return Outcome(delivered=delivered and bool(recorded))
    disabled = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).update(
        is_active=False,
        disabled_at=now,
        disabled_reason=f"Every retry failed for a day ({error}).",
    )
    if disabled:
        webhook_endpoints_cache_clear()  # an UPDATE sends no signal
    return Outcome(delivered=False, endpoint_disabled=bool(disabled))


def deliveries_due_endpoints(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """Active endpoints with a delivery to send now (due retries, lost claims, or
    events whose task never reached a worker)."""
    now = now or timezone.now()
    return list(
        _claimable(now=now)
        .filter(endpoint__is_active=True)
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()[:limit]
    )
