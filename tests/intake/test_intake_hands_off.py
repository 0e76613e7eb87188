"""What intake hands to the rest of the product: routing after commit, safety flags, and
the alert for a person who asks again while still waiting."""

import base64
import json

import pytest
import redis
from django.conf import settings

from apps.alerts.models import Alert
from apps.leads.models import Lead
from tests.celery_processes import broker_purge
from tests.factories import TeamFactory, UserFactory
from tests.intake.payloads import intake_payload, minimal_payload

pytestmark = pytest.mark.django_db


def test_a_new_lead_queues_its_routing_task_only_when_the_intake_commits(
    post_intake, django_capture_on_commit_callbacks
):
    broker_purge()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_intake(intake_payload())
    assert response.status_code == 201
    assert broker_messages() == []  # not before the commit

    for callback in callbacks:
        callback()
    messages = broker_messages()
    assert [m["headers"]["task"] for m in messages] == ["apps.routing.tasks.route_lead"]
    args, kwargs, _ = json.loads(base64.b64decode(messages[0]["body"]))
    assert (args, kwargs) == ([response.json()["id"]], {})  # the lead id, nothing personal
    broker_purge()


def broker_messages() -> list[dict]:
    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    return [json.loads(each) for each in raw]


def test_an_inquiry_describing_an_emergency_becomes_urgent(post_intake):
    body = intake_payload()
    body["urgency"] = "routine"
    body["message"] = "My father has CHEST PAIN now and is short of breath"
    response = post_intake(body)
    assert response.status_code == 201
    assert Lead.objects.get(pk=response.json()["id"]).urgency == "urgent"


def test_a_repeat_inquiry_while_waiting_alerts_the_owner_once(post_intake):
    first = post_intake(minimal_payload(phone="(312) 555-0142"))
    owner = UserFactory()
    Lead.objects.filter(pk=first.json()["id"]).update(owner=owner, team=TeamFactory())

    repeat = post_intake(minimal_payload(phone="312.555.0142"))

    assert repeat.status_code == 200 and repeat.json()["duplicate"] is True
    alerts = Alert.objects.filter(lead_id=first.json()["id"], recipient=owner)
    assert [alert.level for alert in alerts] == ["repeat_inquiry"]
