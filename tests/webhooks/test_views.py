"""Managers' webhook pages: list, create (secret shown once), delivery log, on/off and
send again; nobody else gets in."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.webhooks.choices import DeliveryStatus, WebhookEventType
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_event_emit
from apps.webhooks.tasks import webhook_endpoint_deliver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_creates_an_endpoint_and_sees_its_secret_only_once(client, manager, receiver):
    client.force_login(manager)
    answer = client.post(
        reverse("webhooks:endpoint_create"),
        {"url": receiver.url, "description": "Scheduling", "event_types": ["lead.created"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in answer.content.decode()
    assert endpoint.secret not in client.get(reverse("webhooks:endpoint_list")).content.decode()
    detail = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail


def test_a_private_address_is_refused_on_the_form_naming_the_field(client, manager, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(manager)
    answer = client.post(
        reverse("webhooks:endpoint_create"),
        {"url": "http://10.0.0.8/hook", "event_types": ["lead.created"]},
    )

    assert answer.status_code == 200
    assert "resolves to 10.0.0.8" in answer.context["form"].errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_status_code_latency_and_next_try(
    client, manager, endpoint, receiver, django_assert_num_queries
):
    for lead_id in (1, 2, 3):
        webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=lead_id, data={})
    webhook_endpoint_deliver(endpoint.pk)
    receiver.stop()
    webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=4, data={})
    webhook_endpoint_deliver(endpoint.pk)
    client.force_login(manager)

    with django_assert_num_queries(6):  # session, user, roles, alert badge, endpoint, log
        answer = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))

    page = answer.content.decode()
    assert page.count("<td>204</td>") == 3
    assert page.count(" ms</td>") == 4
    assert "ConnectionRefusedError" in page
    assert "Send again" in page


def test_send_again_from_the_log(client, manager, endpoint, receiver):
    webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=1, data={})
    webhook_endpoint_deliver(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    client.force_login(manager)

    client.post(reverse("webhooks:delivery_resend", args=[delivery.pk]))

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_turning_an_endpoint_off_and_on(client, manager, endpoint):
    client.force_login(manager)
    client.post(reverse("webhooks:endpoint_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    client.post(reverse("webhooks:endpoint_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is True and endpoint.disabled_at is None


def test_the_list_takes_the_same_queries_for_many_endpoints(
    client, manager, receiver, django_assert_num_queries
):
    from apps.webhooks.services import webhook_endpoint_create

    for _ in range(5):
        webhook_endpoint_create(owner=manager, url=receiver.url, event_types=["lead.created"])
    client.force_login(manager)
    with django_assert_num_queries(5):  # session, user, roles, alert badge, endpoints
        client.get(reverse("webhooks:endpoint_list"))


@pytest.mark.parametrize("role", [Role.INTAKE_COORDINATOR, Role.LIAISON])
def test_other_roles_are_refused(client, endpoint, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("webhooks:endpoint_list")).status_code == 403
    assert client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).status_code == 403


def test_the_list_counts_waiting_and_given_up_deliveries(client, manager, endpoint, receiver):
    for lead_id in (1, 2):
        webhook_event_emit(event_type=WebhookEventType.LEAD_CREATED, lead_id=lead_id, data={})
    WebhookDelivery.objects.filter(lead_id=2).update(status=DeliveryStatus.FAILED)
    client.force_login(manager)

    [row] = client.get(reverse("webhooks:endpoint_list")).context["endpoints"]

    assert (row.waiting_count, row.failed_count) == (1, 1)
