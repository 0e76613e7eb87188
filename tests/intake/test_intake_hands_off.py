"""What intake hands to the rest of the product: routing after commit, red flags, and
the alert for a person who asks again while still waiting."""

import pytest

from apps.alerts.models import Alert
from apps.leads.models import Lead
from apps.sla.models import RedFlagPhrase
from tests.factories import TeamFactory, UserFactory
from tests.intake.payloads import intake_payload, minimal_payload

pytestmark = pytest.mark.django_db


def test_a_new_lead_queues_its_routing_task_only_when_the_intake_commits(
    post_intake, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    # The broker is the outside world here: record what would be sent to it.
    monkeypatch.setattr(
        "apps.routing.tasks.route_lead.apply_async",
        lambda args, **options: published.append(args),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_intake(intake_payload())
    assert response.status_code == 201
    assert len(callbacks) == 1
    assert published == [[response.json()["id"]]]  # the lead id, nothing personal


def test_an_inquiry_with_a_red_flag_phrase_becomes_urgent(post_intake):
    body = intake_payload()
    RedFlagPhrase.objects.create(service_line=None, phrase="chest pain now")
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
