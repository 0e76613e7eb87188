"""Webhook delivery on real Celery processes against Redis and a real HTTP receiver:
a receiver that is down for a while gets every event once and in order when it comes
back; a worker killed in the middle of a delivery loses nothing."""

import os
import signal
import time
from pathlib import Path

import pytest

from apps.webhooks.choices import DeliveryStatus, WebhookEventType
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_event_emit
from tests.celery_processes import broker_purge, celery_beat, celery_worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.usefixtures("transactional_db")]

# Retries every second (x30), swept every second, claims lost after 4 s.
FAST = {
    "WEBHOOK_RETRY_DELAYS": ",".join(["1"] * 30),
    "WEBHOOK_SWEEP_SECONDS": "1",
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_CLAIM_LEASE_SECONDS": "4",
}


def emit_events(leads: int, steps: int) -> None:
    for step in range(1, steps + 1):
        for lead_id in range(1, leads + 1):
            webhook_event_emit(
                event_type=WebhookEventType.LEAD_STAGE_CHANGED,
                lead_id=lead_id,
                data={"lead_id": lead_id, "step": step},
            )


def assert_once_and_in_order(received: list[dict], leads: int, steps: int) -> None:
    ids = [event["id"] for event in received]
    assert len(ids) == len(set(ids)) == leads * steps
    for lead_id in range(1, leads + 1):
        order = [
            e["payload"]["data"]["step"]
            for e in received
            if e["payload"]["data"]["lead_id"] == lead_id
        ]
        assert order == list(range(1, steps + 1))


def wait_all_delivered(count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == count:
            return
        time.sleep(0.2)
    raise AssertionError("not every delivery was recorded as delivered")


def test_a_receiver_down_for_a_while_gets_every_event_once_and_in_order(
    tmp_path, endpoint, receiver
):
    broker_purge()
    receiver.stop()
    with celery_worker(tmp_path, concurrency=2, env=FAST), celery_beat(tmp_path, env=FAST):
        emit_events(leads=3, steps=4)
        deadline = time.monotonic() + 30
        while not WebhookDelivery.objects.filter(attempts__gte=2).exists():
            assert time.monotonic() < deadline, "no retry within 30 s"
            time.sleep(0.2)

        receiver.start()  # back, on the same port
        received = receiver.wait_for(12, timeout=60)
        wait_all_delivered(12, timeout=15)
        time.sleep(2)  # a duplicate would arrive now

    assert_once_and_in_order(receiver.received, leads=3, steps=4)
    assert received and receiver.rejected == []
    broker_purge()


def _worker_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path, endpoint, receiver):
    broker_purge()
    receiver.hold_seconds = 1.5  # each request takes a while: the kill lands mid-request
    with celery_beat(tmp_path, env=FAST):
        with celery_worker(tmp_path, env=FAST) as worker:
            emit_events(leads=2, steps=3)
            deadline = time.monotonic() + 30
            while receiver.requests_started < 1:
                assert time.monotonic() < deadline, "the worker never sent"
                time.sleep(0.05)
            for child in _worker_children(worker.pid):
                os.kill(child, signal.SIGKILL)
            worker.kill()
            worker.wait()
        in_flight = WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING).count()
        receiver.hold_seconds = 0
        (tmp_path / "second").mkdir()
        with celery_worker(tmp_path / "second", env=FAST):
            wait_all_delivered(6, timeout=60)

    assert in_flight == 1  # claimed, never recorded: taken over once its lease ran out
    ids = {event["id"] for event in receiver.received}
    assert len(ids) == 6  # every event arrived; the interrupted one may have come twice
    assert len(receiver.received) - len(ids) <= 1
    for lead_id in (1, 2):
        steps = [
            e["payload"]["data"]["step"]
            for e in receiver.received
            if e["payload"]["data"]["lead_id"] == lead_id
        ]
        assert list(dict.fromkeys(steps)) == [1, 2, 3]
    broker_purge()
