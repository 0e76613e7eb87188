"""A response-time breach is announced to webhook endpoints, once, by the sweep that
fires its alerts."""

import datetime as dt

import pytest

from apps.accounts.choices import Role
from apps.sla.services import escalations_sweep, lead_sla_start
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import UserFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


def test_a_breach_is_announced_once_with_its_due_time(clock, make_lead, manager, fallback_team):
    webhook_endpoint_create(
        owner=UserFactory(roles=[Role.ADMIN]),
        url="http://127.0.0.1:9/hooks",
        event_types=["lead.sla_breached"],
    )
    lead = make_lead()
    lead_sla_start(lead=lead, started_at=T0)
    clock.move_to(T0 + dt.timedelta(minutes=20))

    escalations_sweep()
    escalations_sweep()

    [delivery] = WebhookDelivery.objects.all()
    lead.refresh_from_db()
    assert delivery.lead_id == lead.pk
    assert delivery.payload["data"]["sla_due_at"] == lead.sla_due_at.isoformat()
