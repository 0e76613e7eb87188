"""The staff API for webhooks: managers register endpoints (secret given once), read
the delivery log and send again; other roles are refused."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.webhooks.choices import WebhookEventType
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_event_emit
from apps.webhooks.tasks import webhook_endpoint_deliver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_registers_an_endpoint_and_gets_the_secret_once(api_client, manager, receiver):
    api_client.force_authenticate(manager)
    answer = api_client.post(
        reverse("webhook-endpoints"),
        {"url": receiver.url, "event_types": ["lead.created", "lead.assigned"]},
        format="json",
    )

    assert answer.status_code == 201
    assert answer.json()["secret"] == WebhookEndpoint.objects.get().secret
    again = api_client.get(reverse("webhook-endpoint", args=[answer.json()["id"]]))
    assert "secret" not in again.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://10.0.0.8/hook", "event_types": ["lead.created"]}, "url"),
        ({"url": "https://example.org/hook", "event_types": ["lead.deleted"]}, "event_types"),
        ({"url": "https://example.org/hook", "event_types": []}, "event_types"),
        ({"url": "not a url", "event_types": ["lead.created"]}, "url"),
    ],
)
def test_a_bad_endpoint_is_refused_naming_the_field(api_client, manager, settings, body, field):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    api_client.force_authenticate(manager)
    answer = api_client.post(reverse("webhook-endpoints"), body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not WebhookEndpoint.objects.exists()


def test_turn_off_read_the_log_and_send_again(api_client, manager, endpoint, receiver):
    webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=3, data={})
    webhook_endpoint_deliver(endpoint.pk)
    api_client.force_authenticate(manager)

    log = api_client.get(reverse("webhook-deliveries", args=[endpoint.pk])).json()["results"]
    assert [(row["status"], row["last_status_code"]) for row in log] == [("delivered", 204)]
    resent = api_client.post(reverse("webhook-delivery-resend", args=[log[0]["id"]]))
    assert resent.status_code == 202
    assert WebhookDelivery.objects.get().status == "pending"

    off = api_client.patch(
        reverse("webhook-endpoint", args=[endpoint.pk]), {"is_active": False}, format="json"
    )
    assert off.json()["is_active"] is False


def test_a_coordinator_is_refused(api_client, endpoint):
    api_client.force_authenticate(UserFactory(roles=[Role.INTAKE_COORDINATOR]))
    assert api_client.get(reverse("webhook-endpoints")).status_code == 403
