"""Sending the outbox in-process (the task function called directly) to a real HTTP
receiver that verifies signatures with the standardwebhooks library."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.alerts.choices import AlertLevel
from apps.alerts.models import Alert
from apps.webhooks.choices import DeliveryStatus, WebhookEventType
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_delivery_resend, webhook_event_emit
from apps.webhooks.tasks import webhook_endpoint_deliver
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def emit(lead_id: int, step: int) -> None:
    webhook_event_emit(
        event_type=WebhookEventType.LEAD_STAGE_CHANGED, lead_id=lead_id, data={"step": step}
    )


def test_an_event_arrives_signed_and_verifies_with_the_standard_webhooks_library(
    endpoint, receiver
):
    emit(lead_id=7, step=1)

    assert webhook_endpoint_deliver(endpoint.pk) == 1

    [event] = receiver.received
    assert receiver.rejected == []
    assert event["payload"]["type"] == "lead.stage_changed"
    assert event["payload"]["data"] == {"step": 1}
    assert event["id"].startswith("msg_")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.last_status_code == 204
    assert delivery.attempts == 1
    assert delivery.last_latency_ms is not None


def test_a_receiver_with_another_secret_rejects_the_signature(endpoint, receiver):
    receiver.secret = "whsec_" + "A" * 43 + "="
    emit(lead_id=7, step=1)

    webhook_endpoint_deliver(endpoint.pk)

    assert receiver.received == []
    assert receiver.rejected == ["No matching signature found"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 400)


def test_a_failed_attempt_waits_for_its_backoff_and_later_events_of_the_lead_wait_behind_it(
    endpoint, receiver
):
    receiver.stop()
    emit(lead_id=7, step=1)
    emit(lead_id=7, step=2)
    emit(lead_id=8, step=1)

    webhook_endpoint_deliver(endpoint.pk)

    first, second, other = WebhookDelivery.objects.order_by("id")
    assert first.status == DeliveryStatus.PENDING and first.attempts == 1
    assert first.last_error == "ConnectionRefusedError"
    # 5 s ±25% by default: exponential backoff with jitter, on due_at for beat to sweep.
    wait = (first.due_at - first.last_attempt_at).total_seconds()
    assert 3.75 <= wait <= 6.25
    assert second.attempts == 0  # waits behind the same lead's earlier event
    assert other.attempts == 1  # another lead is not held up

    receiver.start()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=10)):
        webhook_endpoint_deliver(endpoint.pk)
    steps = [(e["payload"]["data"]["step"]) for e in receiver.received]
    lead7 = [e["payload"]["data"]["step"] for e in receiver.received if e["id"] != other_id(other)]
    assert sorted(steps) == [1, 1, 2]
    assert lead7 == [1, 2]


def other_id(delivery: WebhookDelivery) -> str:
    return f"msg_{delivery.message_id.hex}"


def test_after_the_last_retry_the_endpoint_is_disabled_and_its_owner_alerted(
    endpoint, receiver, settings, manager
):
    settings.WEBHOOK_RETRY_DELAYS = [60, 3600]
    receiver.stop()
    emit(lead_id=7, step=1)
    start = timezone.now()
    for minutes in (0, 2, 120):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            webhook_endpoint_deliver(endpoint.pk)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert "Every retry failed" in endpoint.disabled_reason
    alert = Alert.objects.get(recipient=manager)
    assert (alert.level, alert.webhook_endpoint_id, alert.lead_id) == (
        AlertLevel.WEBHOOK_DISABLED,
        endpoint.pk,
        None,
    )


def test_the_default_retry_schedule_spans_more_than_a_day(settings):
    assert sum(settings.WEBHOOK_RETRY_DELAYS) * 0.75 > 24 * 60 * 60


def test_a_redirect_is_not_followed(endpoint, receiver):
    elsewhere = Receiver(secret=endpoint.secret).start()
    try:
        receiver.status, receiver.location = 302, elsewhere.url
        emit(lead_id=7, step=1)

        webhook_endpoint_deliver(endpoint.pk)

        assert elsewhere.requests_started == 0
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "HTTP 302")
    finally:
        elsewhere.stop()


def test_send_again_delivers_an_event_once_more_with_the_same_webhook_id(endpoint, receiver):
    emit(lead_id=7, step=1)
    webhook_endpoint_deliver(endpoint.pk)

    webhook_delivery_resend(delivery=WebhookDelivery.objects.get())
    webhook_endpoint_deliver(endpoint.pk)

    first, again = receiver.received
    assert first["id"] == again["id"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_delivery_claimed_by_a_live_worker_is_not_sent_by_another(endpoint, receiver):
    from apps.webhooks.delivery import delivery_claim

    emit(lead_id=7, step=1)
    assert delivery_claim(endpoint_id=endpoint.pk) is not None

    assert webhook_endpoint_deliver(endpoint.pk) == 0
    assert receiver.requests_started == 0


def test_a_receiver_that_answers_too_slowly_is_cut_off_at_the_timeout(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.hold_seconds = 2
    emit(lead_id=7, step=1)

    webhook_endpoint_deliver(endpoint.pk)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (DeliveryStatus.PENDING, "timed out")
    assert 500 <= delivery.last_latency_ms < 1500


def test_the_owners_alert_email_names_the_endpoint_only(endpoint, receiver, settings, mailoutbox):
    from apps.alerts.services import alert_email_send, webhook_endpoint_disabled_alert

    alert_id = webhook_endpoint_disabled_alert(endpoint_id=endpoint.pk, owner_id=endpoint.owner_id)
    assert alert_email_send(alert_id=alert_id)

    [email] = mailoutbox
    assert email.subject == f"Webhook endpoint #{endpoint.pk} was disabled"
    assert f"/webhooks/{endpoint.pk}/" in email.body
