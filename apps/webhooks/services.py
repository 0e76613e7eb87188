"""Writes of webhooks: the events other services emit, and managing endpoints.

Other apps call the `*_emit` functions from inside the service that makes the change,
one line each, so the outbox row commits (or rolls back) with the change itself. A
payload names the lead by id with its type, stage, service line and times: never a
name, phone, email or message (an integration fetches those through the staff API).
"""

import datetime as dt
import secrets
from base64 import b64encode
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.conflicts import StateConflict
from apps.core.queueing import task_queue
from apps.webhooks.addresses import AddressRefused, target_resolve
from apps.webhooks.choices import DeliveryStatus, WebhookEventType
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.selectors import endpoint_ids_for_event


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic(savepoint=False)
def webhook_event_emit(
    *,
    event_type: str,
    lead_id: int | None,
    data: dict | Callable[[], dict],
    occurred_at: dt.datetime | None = None,
) -> int:
    """Write one delivery per active endpoint that wants `event_type`; returns how many.

    Side effects: after commit, one `webhook_endpoint_deliver` task per endpoint (the
    beat sweep sends them anyway if the broker is down). `data` must hold no personal
    details; it is sent as the event's `data`. A callable is called only when some
    endpoint wants the event: with none (most hospitals), an event costs no query.
    """
    endpoint_ids = endpoint_ids_for_event(event_type=event_type)
    if not endpoint_ids:
        return 0
    occurred_at = occurred_at or timezone.now()
    data = data() if callable(data) else data
    payload = {"type": event_type, "timestamp": _iso(occurred_at), "data": data}
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint_id,
            event_type=event_type,
            lead_id=lead_id,
            payload=payload,
            occurred_at=occurred_at,
            due_at=occurred_at,
        )
        for endpoint_id in endpoint_ids
    )
    transaction.on_commit(lambda: endpoint_deliveries_queue(endpoint_ids=endpoint_ids))
    return len(endpoint_ids)


def endpoint_deliveries_queue(*, endpoint_ids: list[int]) -> None:
    """Hand the endpoints to the workers. A broker that is down fails nothing: the rows
    wait for the beat sweep."""
    from apps.webhooks.tasks import webhook_endpoint_deliver

    for endpoint_id in endpoint_ids:
        if not task_queue(webhook_endpoint_deliver, endpoint_id):
            return


def lead_webhook_data(lead) -> dict:
    """What an event says about a lead: ids, type, stage, service line and times.

    Takes the lead duck-typed (webhooks sit below apps.leads in the layers).
    """
    return {
        "lead_id": lead.pk,
        "lead_type": lead.lead_type,
        "channel": lead.channel,
        "urgency": lead.urgency,
        "stage": lead.stage.slug,
        "service_line": lead.service_line.slug,
        "location_id": lead.location_id,
        "team_id": lead.team_id,
        "owner_id": lead.owner_id,
        "referral_source_id": lead.referral_source_id,
        "created_at": _iso(lead.created_at),
        "first_response_at": _iso(lead.first_response_at),
        "closed_at": _iso(lead.closed_at),
    }


def _lead_event(event_type: str, lead, occurred_at=None, **extra) -> int:
    return webhook_event_emit(
        event_type=event_type,
        lead_id=lead.pk,
        data=lambda: {**lead_webhook_data(lead), **extra},
        occurred_at=occurred_at,
    )


# --- The events: one function each, called by the service that makes the change -----


def lead_created_emit(*, lead) -> int:
    return _lead_event(WebhookEventType.LEAD_CREATED, lead, lead.created_at)


def lead_assigned_emit(*, lead, previous_owner_id: int | None, previous_team_id: int | None):
    return _lead_event(
        WebhookEventType.LEAD_ASSIGNED,
        lead,
        previous_owner_id=previous_owner_id,
        previous_team_id=previous_team_id,
    )


def lead_stage_changed_emit(*, lead, from_stage_slug: str) -> int:
    return _lead_event(
        WebhookEventType.LEAD_STAGE_CHANGED,
        lead,
        lead.stage_entered_at,
        from_stage=from_stage_slug,
        lost_reason=lead.lost_reason or None,
        appointment_at=_iso(lead.appointment_at),
    )


def lead_first_response_emit(*, lead) -> int:
    return _lead_event(WebhookEventType.LEAD_FIRST_RESPONSE, lead, lead.first_response_at)


def lead_sla_breached_emit(*, lead, due_at: dt.datetime | None) -> int:
    return _lead_event(WebhookEventType.LEAD_SLA_BREACHED, lead, sla_due_at=_iso(due_at))


def lead_safety_flagged_emit(*, lead, flags: list[str]) -> int:
    """For safety screening: `flags` are rule codes (e.g. "suicide_risk"), never the
    words that matched."""
    return _lead_event(WebhookEventType.LEAD_SAFETY_FLAGGED, lead, flags=list(flags))


def referral_feedback_sent_emit(*, lead, method: str) -> int:
    return _lead_event(
        WebhookEventType.REFERRAL_FEEDBACK_SENT,
        lead,
        lead.referral_feedback_sent_at,
        feedback_method=method,
        referral_feedback_sent_at=_iso(lead.referral_feedback_sent_at),
    )


def nurture_enrollment_ended_emit(*, enrollment, status: str = "") -> int:
    """`status` overrides the enrollment's own when the caller updated it in bulk."""
    return webhook_event_emit(
        event_type=WebhookEventType.NURTURE_ENROLLMENT_ENDED,
        lead_id=enrollment.lead_id,
        data={
            "lead_id": enrollment.lead_id,
            "enrollment_id": enrollment.pk,
            "track_id": enrollment.track_id,
            "status": status or enrollment.status,
            "exit_reason": (enrollment.exit_reason or None) if not status else None,
        },
    )


# --- Endpoints --------------------------------------------------------------------


def _secret_new() -> str:
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


def _endpoint_validate(*, url: str, event_types: list[str]) -> None:
    errors = {}
    try:
        target_resolve(url)
    except AddressRefused as exc:
        errors["url"] = str(exc)
    unknown = set(event_types) - set(WebhookEventType.values)
    if not event_types:
        errors["event_types"] = "Choose at least one event."
    elif unknown:
        errors["event_types"] = f"Unknown events: {', '.join(sorted(unknown))}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_endpoint_create(
    *, owner: User, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint with a new secret (show it to the manager once).

    Raises ValidationError keyed by field: an address that is not http(s), does not
    resolve, or resolves to a loopback, link-local or private address.
    """
    _endpoint_validate(url=url, event_types=event_types)
    return WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        event_types=sorted(set(event_types)),
        description=description,
        secret=_secret_new(),
    )


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint's address, events, description or on/off.

    Turning it on again clears why it was disabled; its waiting deliveries resume in
    order. The secret never changes here.
    """
    allowed = {"url", "event_types", "description", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    _endpoint_validate(
        url=changes.get("url", endpoint.url),
        event_types=changes.get("event_types", endpoint.event_types),
    )
    if "event_types" in changes:
        changes["event_types"] = sorted(set(changes["event_types"]))
    if changes.get("is_active") and not endpoint.is_active:
        changes.update(disabled_at=None, disabled_reason="")
    elif changes.get("is_active") is False and endpoint.is_active:
        changes.update(disabled_at=timezone.now(), disabled_reason="Turned off by staff.")
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=list(changes))
    if endpoint.is_active:
        transaction.on_commit(lambda: endpoint_deliveries_queue(endpoint_ids=[endpoint.pk]))
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log."""
    endpoint.delete()


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or given-up event again, now, with the same `webhook-id` (a
    receiver that has it already can drop it). Raises ValidationError when it is still
    on its way or the endpoint is off."""
    delivery = (
        WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    )
    if delivery.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        raise StateConflict({"delivery": "This event is still being delivered."})
    if not delivery.endpoint.is_active:
        raise StateConflict({"delivery": "Turn the endpoint on first."})
    delivery.status = DeliveryStatus.PENDING
    delivery.due_at = timezone.now()
    delivery.attempts = 0  # a fresh retry schedule
    delivery.claimed_until = None
    delivery.save(update_fields=["status", "due_at", "attempts", "claimed_until"])
    transaction.on_commit(lambda: endpoint_deliveries_queue(endpoint_ids=[delivery.endpoint_id]))
    return delivery
