"""Webhook delivery: rate and event-to-delivery lag at a steady event rate, through the
real pipeline (outbox row committed, task queued on commit, a Celery worker claims,
signs and POSTs to a receiver on 127.0.0.1 that verifies every signature).

    .venv/bin/python bench/webhooks.py                     # 50 events/s for 30 s
    .venv/bin/python bench/webhooks.py --rate 100 --duration 20

Builds its own database (leadcrm_bench_webhooks) and Redis database, starts a worker
(2 processes) and beat, emits events for 50 leads in turn, each in its own transaction,
and prints the delivery rate, lag = received - occurred_at (p50/p95/max), duplicates and
order breaks per lead. Target (issue 17): p95 under 2 s at 50 events/s.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (
    CELERY_WORKER_ARGS,
    celery_start,
    log_wait,
    percentile,
    processes_stop,
    scratch_database_rebuild,
    scratch_django_setup,
    scratch_environment,
)

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_webhooks")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
# The receiver listens on 127.0.0.1, which production settings refuse.
ENV = scratch_environment(
    database=DATABASE_NAME, redis_url=REDIS_URL, WEBHOOK_ALLOW_PRIVATE_ADDRESSES="true"
)
LEADS = 50


def receiver_serve(secret: str, port_file: Path, arrivals_file: Path) -> None:
    """The receiver, in a process of its own (so it never waits for the emitter's GIL):
    verifies each request, appends one JSON line per arrival."""
    from standardwebhooks import Webhook

    verifier = Webhook(secret)
    lock = threading.Lock()
    out = arrivals_file.open("a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received = time.time()
            payload = verifier.verify(body, dict(self.headers))
            line = json.dumps([received, self.headers["webhook-id"], payload])
            with lock:
                out.write(line + "\n")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


def receiver_start(secret: str, logs: Path) -> tuple[multiprocessing.Process, int, Path]:
    port_file, arrivals_file = logs / "receiver.port", logs / "arrivals.jsonl"
    process = multiprocessing.get_context("fork").Process(
        target=receiver_serve, args=(secret, port_file, arrivals_file), daemon=True
    )
    process.start()
    deadline = time.monotonic() + 10
    while not port_file.exists() or not port_file.read_text():
        if time.monotonic() > deadline:
            raise TimeoutError("the receiver did not start")
        time.sleep(0.05)
    return process, int(port_file.read_text()), arrivals_file


def arrivals_read(arrivals_file: Path) -> list:
    if not arrivals_file.exists():
        return []
    return [json.loads(line) for line in arrivals_file.read_text().splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of events")
    parser.add_argument("--concurrency", type=int, default=2)
    options = parser.parse_args()

    print(f"building {DATABASE_NAME} ...", flush=True)
    scratch_database_rebuild(ENV)
    scratch_django_setup(ENV)

    from django.db import transaction

    from apps.accounts.models import User
    from apps.webhooks.services import webhook_endpoint_create, webhook_event_emit

    owner = User.objects.create_user(username="integrations", password=None)
    # Made first for its secret; the receiver's port is set once it listens.
    endpoint = webhook_endpoint_create(
        owner=owner, url="http://127.0.0.1:9/hooks", event_types=["lead.stage_changed"]
    )
    logs = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    receiver, port, arrivals_file = receiver_start(endpoint.secret, logs)
    endpoint.url = f"http://127.0.0.1:{port}/hooks"
    endpoint.save(update_fields=["url"])
    worker = celery_start(
        [*CELERY_WORKER_ARGS, f"--concurrency={options.concurrency}", "--hostname=bench-wh@%h"],
        env=ENV,
        log=logs / "worker.log",
    )
    beat = celery_start(
        ["beat", "--loglevel=INFO", f"--schedule={logs / 'beat-schedule'}"],
        env=ENV,
        log=logs / "beat.log",
    )
    try:
        log_wait(worker, logs / "worker.log", "ready", timeout=60)
        log_wait(beat, logs / "beat.log", "beat: Starting", timeout=60)
        total = int(options.rate * options.duration)
        print(f"emitting {total} events at {options.rate:g}/s ...", flush=True)
        started = time.monotonic()
        for n in range(total):
            pause = started + n / options.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with transaction.atomic():
                webhook_event_emit(
                    event_type="lead.stage_changed",
                    lead_id=n % LEADS + 1,
                    data={"lead_id": n % LEADS + 1, "sequence": n},
                )
        emitted_in = time.monotonic() - started
        deadline = time.monotonic() + 120
        while len(arrivals_read(arrivals_file)) < total and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        processes_stop([worker, beat])
        receiver.terminate()
    arrivals = arrivals_read(arrivals_file)

    lags = [
        received - dt.datetime.fromisoformat(payload["timestamp"]).timestamp()
        for received, _, payload in arrivals
    ]
    ids = [message_id for _, message_id, _ in arrivals]
    by_lead: dict[int, list[int]] = {}
    for _, _, payload in sorted(arrivals, key=lambda item: item[0]):
        by_lead.setdefault(payload["data"]["lead_id"], []).append(payload["data"]["sequence"])
    order_breaks = sum(seq != sorted(seq) for seq in by_lead.values())
    span = max(r for r, _, _ in arrivals) - min(r for r, _, _ in arrivals) if arrivals else 0
    print(f"emitted {total} in {emitted_in:.1f} s; load average {os.getloadavg()[0]:.1f}")
    print(
        f"delivered {len(set(ids))}/{total} (duplicates {len(ids) - len(set(ids))}, "
        f"leads out of order {order_breaks}); rate {len(arrivals) / span if span else 0:.1f}/s"
    )
    if lags:
        print(
            f"lag event->delivery: p50 {statistics.median(lags) * 1000:.0f} ms, "
            f"p95 {percentile(lags, 0.95) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms "
            f"(target p95 < 2000 ms)"
        )


if __name__ == "__main__":
    main()
