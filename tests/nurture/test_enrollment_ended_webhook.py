"""A nurture enrollment that ends (stopped, or an exit rule) is announced to webhook
endpoints with its track and reason, never the message sent."""

import pytest

from apps.nurture.models import NurtureEnrollment
from apps.nurture.services import nurture_changes_sweep, nurture_enrollment_stop
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def test_stopping_an_enrollment_is_announced(make_track, make_lead, to_stage, manager):
    webhook_endpoint_create(
        owner=manager, url="http://127.0.0.1:9/hooks", event_types=["nurture.enrollment_ended"]
    )
    track = make_track()
    lead = make_lead()
    to_stage(lead, "not-ready")
    nurture_changes_sweep()
    enrollment = NurtureEnrollment.objects.get(lead=lead)

    nurture_enrollment_stop(enrollment=enrollment, actor=manager)

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["data"] == {
        "lead_id": lead.pk,
        "enrollment_id": enrollment.pk,
        "track_id": track.pk,
        "status": "exited",
        "exit_reason": "stopped_by_staff",
    }
