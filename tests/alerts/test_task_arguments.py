"""What reaches the broker: ids only, never personal data.

Reads the messages really published to the test Redis, rather than mocking Celery.
"""

import base64
import datetime as dt
import json

import pytest
import redis
from django.conf import settings

from apps.alerts.services import lead_repeat_inquiry_alert
from apps.leads.choices import Channel
from apps.leads.services import lead_add_touch
from apps.safety.services import lead_safety_screen
from apps.sla.services import escalations_sweep, lead_sla_start
from tests.celery_processes import broker_purge
from tests.factories import PersonFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


def published_tasks() -> list[dict]:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    tasks = []
    raws = client.lrange("celery", 0, -1) + client.lrange("alert_emails", 0, -1)
    for raw in raws:
        message = json.loads(raw)
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append(
            {"task": message["headers"]["task"], "args": args, "kwargs": kwargs, "raw": raw}
        )
    return tasks


def test_alert_tasks_carry_only_ids(
    clock, make_lead, service_line, manager, fallback_team, django_capture_on_commit_callbacks
):
    broker_purge()
    person = PersonFactory(first_name="Zebulon", last_name="Quistgaard", email="zq@example.com")
    lead = make_lead(person=person, message="chest pain now", payer="Acme Health Plan")

    with django_capture_on_commit_callbacks(execute=True):
        lead_safety_screen(lead=lead, inquiry=None, message=lead.message)
        lead_sla_start(lead=lead, started_at=T0)
        lead_add_touch(lead=lead, channel=Channel.PHONE, message="Zebulon again")
        lead_repeat_inquiry_alert(lead=lead)
    clock.move_to(T0 + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        escalations_sweep()

    tasks = published_tasks()
    # One task for the repeat inquiry's single alert; one dispatch each for the safety
    # alert's two recipients (the managers, no team lead on shift, and the owner) and
    # for the sweep's five (notice, breach x2, reassigned x2).
    assert sorted(
        (
            task["task"],
            len(task["args"][0]) if task["args"] and isinstance(task["args"][0], list) else 1,
        )
        for task in tasks
    ) == [
        ("apps.alerts.tasks.alert_email_send", 1),
        ("apps.alerts.tasks.alert_emails_dispatch", 2),
        ("apps.alerts.tasks.alert_emails_dispatch", 5),
    ]
    for task in tasks:
        (arg,) = task["args"]
        assert all(
            isinstance(alert_id, int) for alert_id in (arg if isinstance(arg, list) else [arg])
        )
        assert task["kwargs"] == {}
        for detail in (b"Zebulon", b"Quistgaard", b"zq@example.com", b"chest pain", b"Acme"):
            assert detail not in task["raw"]
            assert detail not in base64.b64decode(json.loads(task["raw"])["body"])


def test_beat_entries_take_no_arguments():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith(("apps.sla.", "apps.alerts.")):
            assert not entry.get("args") and not entry.get("kwargs")
            assert entry["options"]["expires"] <= entry["schedule"]


def test_dispatch_queues_one_email_task_per_alert_on_the_email_queue(make_lead, team_lead, manager):
    from apps.alerts.services import alert_emails_dispatch, alert_fire

    broker_purge()
    ids = alert_fire(lead=make_lead(), level="breach", recipients=[team_lead, manager])

    assert alert_emails_dispatch(alert_ids=ids) == 2

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    assert client.llen("alert_emails") == 2
    assert sorted(task["args"] for task in published_tasks()) == [[ids[0]], [ids[1]]]
