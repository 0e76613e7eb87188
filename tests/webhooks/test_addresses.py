"""Server-side request forgery: no endpoint on a loopback, link-local or private
address unless the operator allows it, checked when saved and again when sending."""

import pytest
from django.core.exceptions import ValidationError

from apps.webhooks.choices import DeliveryStatus, WebhookEventType
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create, webhook_event_emit
from apps.webhooks.tasks import webhook_endpoint_deliver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8000/hook", "resolves to 127.0.0.1"),
        ("http://localhost/hook", "a loopback, link-local or private address"),
        ("http://10.1.2.3/hook", "resolves to 10.1.2.3"),
        ("https://192.168.0.10/hook", "resolves to 192.168.0.10"),
        ("http://169.254.169.254/latest/meta-data/", "resolves to 169.254.169.254"),
        ("http://[::1]/hook", "resolves to ::1"),
        ("http://[::ffff:10.0.0.1]/hook", "a loopback, link-local or private address"),
        ("ftp://example.org/hook", "Use an http:// or https:// address."),
        ("http://user:pw@example.org/hook", "no user name or password"),
        ("http://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_an_endpoint_inside_the_network_is_refused(settings, manager, url, why):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(owner=manager, url=url, event_types=[WebhookEventType.LEAD_CREATED])
    assert why in refused.value.message_dict["url"][0]


def test_an_endpoint_saved_while_allowed_is_refused_at_delivery_once_disallowed(
    settings, endpoint, receiver
):
    webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=1, data={})
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    webhook_endpoint_deliver(endpoint.pk)

    assert receiver.requests_started == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "resolves to 127.0.0.1" in delivery.last_error
