"""Queueing routing from intake: after commit only, never an exception, bounded in time
when the broker is down or hangs, and never personal data in a task's arguments."""

import base64
import json
import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from apps.routing.services import lead_routing_queue
from tests.celery_processes import broker_purge, celery_broker_at
from tests.factories import LeadFactory, PersonFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    user, host = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def run_probe(broker_url: str, lead_ids: list[int]) -> tuple[subprocess.CompletedProcess, dict]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "PYTHONPATH": str(BASE_DIR),
    }
    completed = subprocess.run(  # noqa: S603 - our own probe, fixed arguments
        [sys.executable, str(Path(__file__).with_name("publish_probe.py")), *map(str, lead_ids)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed, json.loads(completed.stdout.strip().splitlines()[-1])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def hanging_broker():
    """A TCP server that accepts connections and never answers: a stopped Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for each in held:
            each.close()


@pytest.mark.django_db
def test_nothing_is_published_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lead_routing_queue(lead_id=123)

    assert len(callbacks) == 1


@pytest.mark.django_db
def test_with_the_broker_down_commit_returns_at_once_without_error():
    completed, result = run_probe(f"redis://127.0.0.1:{closed_port()}/0", [101, 102, 103])

    assert max(result["seconds"]) < 1.0, result
    assert "apps.routing.tasks.route_lead not queued (OperationalError)" in completed.stderr
    assert "lead 101 is left to the routing sweep" in completed.stderr
    assert "route_lead not queued: publishing paused" in completed.stderr
    assert "lead 102 is left to the routing sweep" in completed.stderr


@pytest.mark.django_db
def test_with_the_broker_hanging_commit_gives_up_within_two_seconds():
    with hanging_broker() as port:
        completed, result = run_probe(f"redis://127.0.0.1:{port}/0", [201, 202])

    first, second = result["seconds"]
    assert first < 2.0, result  # one socket timeout
    assert second < 0.2, result  # publishing paused: the sweep routes it
    assert "route_lead not queued (OperationalError)" in completed.stderr


@pytest.mark.django_db
def test_the_routing_task_carries_the_lead_id_only(django_capture_on_commit_callbacks):
    person = PersonFactory(first_name="Zebediah", last_name="Quill", email="zq@example.com")
    lead = LeadFactory(person=person, message="Knee pain since March")
    broker_purge()

    with django_capture_on_commit_callbacks(execute=True):
        lead_routing_queue(lead_id=lead.pk)

    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    assert len(raw) == 1
    message = json.loads(raw[0])
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert message["headers"]["task"] == "apps.routing.tasks.route_lead"
    assert (args, kwargs) == ([lead.pk], {})
    # What the worker's log and monitoring tools show of the task.
    assert message["headers"]["argsrepr"] == f"[{lead.pk}]"
    assert message["headers"]["kwargsrepr"] == "{}"
    text = raw[0].decode() + base64.b64decode(message["body"]).decode()
    for personal in ("Zebediah", "Quill", "zq@example.com", str(person.phone), "Knee"):
        assert personal not in text
    broker_purge()


def test_the_sweep_runs_from_beat_without_arguments():
    entry = settings.CELERY_BEAT_SCHEDULE["routing-sweep"]

    assert entry["task"] == "apps.routing.tasks.routing_sweep"
    assert not entry.get("args") and not entry.get("kwargs")
    assert entry["schedule"] <= 15


@pytest.mark.django_db
def test_routing_is_queued_again_once_the_broker_is_back(django_capture_on_commit_callbacks):
    """A broker error leaves nothing stale behind: once the broker is back (and the
    pause after the error is over) the next publish goes through."""
    from apps.core import queueing

    broker_purge()
    with django_capture_on_commit_callbacks(execute=True):
        lead_routing_queue(lead_id=300)  # the process's producer, on the real broker
    try:
        with (
            celery_broker_at(f"redis://127.0.0.1:{closed_port()}/0"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            lead_routing_queue(lead_id=301)  # broker down: logged, left to the sweep
    finally:
        queueing._paused_until = 0.0

    with django_capture_on_commit_callbacks(execute=True):
        lead_routing_queue(lead_id=302)

    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    queued = sorted(json.loads(base64.b64decode(json.loads(m)["body"]))[0][0] for m in raw)
    assert queued == [300, 302]
    broker_purge()


@pytest.mark.parametrize(
    ("task_path", "queue"),
    [
        ("apps.routing.tasks.route_lead", "celery"),
        ("apps.alerts.tasks.alert_email_send", "alert_emails"),
    ],
)
def test_each_task_is_queued_on_its_own_queue(task_path, queue):
    from celery.utils.imports import symbol_by_name

    from apps.core.queueing import task_queue

    broker_purge()
    assert task_queue(symbol_by_name(task_path), 4242)

    (raw,) = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange(queue, 0, -1)
    message = json.loads(raw)
    assert message["headers"]["task"] == task_path
    assert json.loads(base64.b64decode(message["body"]))[0] == [4242]
    broker_purge()
