"""Nurture delivery: due email steps sent by two Celery worker processes to a local SMTP
sink, then the same with a worker killed mid-run (issue 6).

    .venv/bin/python bench/nurture_delivery.py                 # 10,000 steps per phase
    .venv/bin/python bench/nurture_delivery.py --steps 2000 --timeout 120

Builds its own database (leadcrm_bench_nurture: dropped, created, migrated) and uses a
Redis database of its own (db 13, flushed at the start). Starts an aiosmtpd sink in a
subprocess (bench/_smtp_sink.py, 127.0.0.1), two `celery worker --concurrency=1`
processes and `celery beat` with the nurture sweep every second. Each message carries a
Message-ID made from its send row, and a send row is unique per (enrollment, step), so
duplicates = messages received - distinct Message-IDs, and lost = due steps whose
Message-ID never arrived.

- Phase 1: --steps email steps due at once; prints messages/s (first to last message,
  and over the middle 80%), duplicates and lost.
- Phase 2: --steps more; when --kill-at of them have arrived, one worker's whole process
  group (main process and its pool child) gets SIGKILL, and a new worker starts 2 s
  later. The claim the dead worker held is taken over by the sweep after the lease
  (NURTURE_SEND_LEASE_SECONDS, 15 s here), and the tasks it had reserved are queued
  again after NURTURE_REQUEUE_SECONDS (30 s here). Prints duplicates, lost, takeovers.

Bounded: every wait has a deadline (--timeout per phase). Traffic stays on 127.0.0.1.
"""

import argparse
import datetime as dt
import itertools
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import scratch_database_rebuild  # beside this script

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_nurture")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SEND_ID = re.compile(r"<nurture-send-(\d+)@")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": "http://127.0.0.1:8000",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BASE_DIR),
        "NURTURE_SWEEP_SECONDS": "1",
        "NURTURE_SEND_LEASE_SECONDS": "15",
        "NURTURE_REQUEUE_SECONDS": "30",
        "NURTURE_MAX_QUEUED": "1000",
    }


def daytime_zone() -> str:
    """A fixed-offset zone where it is early afternoon now, so quiet hours (on, at their
    default) never hold the benchmark's messages."""
    offset = 13 - dt.datetime.now(dt.UTC).hour  # -10 .. 13
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


def scene_create():
    """A manager, a coordinator, a location, a service line."""
    from apps.accounts.models import User
    from apps.facilities.models import Location
    from apps.servicelines.models import ServiceLine

    manager = User.objects.create_user(username="manager", password=None, is_superuser=True)
    owner = User.objects.create_user(
        username="coordinator", first_name="Dana", last_name="Reyes", password=None
    )
    location = Location.objects.create(name="Bench campus", slug="bench", time_zone=daytime_zone())
    service_line = ServiceLine.objects.create(name="Bariatrics", slug="bariatrics")
    return manager, owner, location, service_line


def due_steps_create(count: int, tag: str, scene) -> tuple[int, int]:
    """`count` leads with email consent on a one-step email track, each with its step
    due now. Bulk inserts (benchmark set-up, not the product's write path). Returns
    the range of the new send ids."""
    from django.db import transaction
    from django.utils import timezone

    from apps.leads.models import Lead
    from apps.nurture.models import NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
    from apps.nurture.services import nurture_track_save
    from apps.people.models import Consent, Person
    from apps.pipeline.selectors import stage_get_by_slug

    manager, owner, location, service_line = scene
    track = nurture_track_save(
        track=NurtureTrack(
            name=f"Bench {tag}",
            entry_trigger="manual",
            is_active=True,
            scheduling_link="https://hospital.test/book",
        ),
        steps=[
            NurtureStep(
                action="email",
                subject="A note from {{ location }}",
                body="Hi {{ first_name }}, {{ coordinator_name }} here. {{ scheduling_link }}",
            )
        ],
        actor=manager,
    )
    step = track.steps.get()
    now = timezone.now()
    not_ready = stage_get_by_slug("not-ready")
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                Person(first_name=f"Person{n}", last_name=tag, email=f"{tag}{n}@example.test")
                for n in range(count)
            ],
            batch_size=2000,
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    person=person,
                    channel="email",
                    purpose="care_coordination",
                    status="granted",
                    method="web_form",
                    wording="You may email me.",
                )
                for person in people
            ],
            batch_size=2000,
        )
        leads = Lead.objects.bulk_create(
            [
                Lead(
                    person=person,
                    lead_type="patient",
                    channel="web_form",
                    service_line=service_line,
                    location=location,
                    stage=not_ready,
                    owner=owner,
                    first_touch_channel="web_form",
                    latest_touch_channel="web_form",
                    routed_at=now,
                )
                for person in people
            ],
            batch_size=2000,
        )
        enrollments = NurtureEnrollment.objects.bulk_create(
            [
                NurtureEnrollment(track=track, lead=lead, trigger_key=f"bench:{n}", entered_at=now)
                for n, lead in enumerate(leads)
            ],
            batch_size=2000,
        )
        sends = NurtureSend.objects.bulk_create(
            [
                NurtureSend(
                    enrollment=enrollment,
                    step=step,
                    person_id=lead.person_id,
                    channel="email",
                    due_at=now,
                )
                for enrollment, lead in zip(enrollments, leads, strict=True)
            ],
            batch_size=2000,
        )
    return sends[0].pk, sends[-1].pk


def start_celery(args: list[str], log: Path, env: dict[str, str], marker: str):
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadcrm", *args],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches the pool child too
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{args[0]} exited:\n{log.read_text()[-2000:]}")
        if marker in log.read_text(errors="replace"):
            return process
        time.sleep(0.2)
    raise TimeoutError(f"no {marker!r} in {log}")


def worker_start(name: str, logs: Path, env: dict[str, str]):
    return start_celery(
        [
            "worker", "--concurrency=1", "--pool=prefork", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            f"--hostname={name}@%h",
        ],
        logs / f"{name}-{time.monotonic_ns()}.log", env, "ready.",
    )  # fmt: skip


def stop(process) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def cpu_seconds(*, process_groups: list[int]) -> dict[str, float]:
    """CPU used so far by the workers (their whole process groups) and by the
    PostgreSQL backends serving the bench database: on a busy machine, wall-clock rates
    stretch, CPU per message much less."""
    from django.db import connection

    workers = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                pgrp = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[2])
            except (OSError, ValueError, IndexError):
                continue
            if pgrp in process_groups:
                workers += _cpu_seconds(int(entry.name))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE_NAME],
        )
        database = sum(_cpu_seconds(pid) for (pid,) in cursor.fetchall())
    return {"workers": workers, "database": database}


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def received(sink_log: Path, first: int, last: int) -> list[tuple[float, int]]:
    """(time, send id) of every message of sends first..last the sink got."""
    rows = []
    for line in sink_log.read_text().splitlines():
        at, message_id = line.split(" ", 1)
        match = SEND_ID.search(message_id)
        if match and first <= int(match.group(1)) <= last:
            rows.append((float(at), int(match.group(1))))
    return rows


def database_counts(first: int, last: int) -> dict[str, int]:
    from django.db.models import Count

    from apps.nurture.models import NurtureSend

    sends = NurtureSend.objects.filter(pk__gte=first, pk__lte=last)
    counts = dict(sends.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    counts["taken_over"] = sends.filter(attempts__gt=1).count()
    return counts


def wait_all(sink_log: Path, first: int, last: int, timeout: float, *, kill=None) -> bool:
    """Wait until every send of the range arrived and none is left pending or sending;
    `kill` (fraction, callback) fires once that fraction has arrived."""
    expected = last - first + 1
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        arrived = len({send_id for _, send_id in received(sink_log, first, last)})
        if kill and arrived >= kill[0] * expected:
            kill[1]()
            kill = None
        counts = database_counts(first, last)
        if arrived >= expected and not counts.get("pending") and not counts.get("sending"):
            return True
        time.sleep(0.5)
    return False


def report(title: str, sink_log: Path, first: int, last: int, started: float) -> dict:
    rows = sorted(received(sink_log, first, last))
    ids = [send_id for _, send_id in rows]
    expected = last - first + 1
    unique = set(ids)
    figures = {
        "received": len(ids),
        "duplicates": len(ids) - len(unique),
        "lost": expected - len(unique & set(range(first, last + 1))),
        **database_counts(first, last),
    }
    print(f"\n{title}")
    if len(rows) >= 2:
        times = [at for at, _ in rows]
        span = times[-1] - times[0]
        lo, hi = times[len(times) // 10], times[(len(times) * 9) // 10]
        middle = (len(times) * 8 // 10) / (hi - lo) if hi > lo else float("nan")
        print(
            f"  {len(unique):,} of {expected:,} steps delivered; first message "
            f"{times[0] - started:.1f} s after the start, last after "
            f"{times[-1] - started:.1f} s"
        )
        print(
            f"  messages per second: {len(rows) / span:,.0f} (first to last), "
            f"{middle:,.0f} (middle 80%)"
        )
        gaps = [b - a for a, b in itertools.pairwise(times)]
        print(f"  longest gap between two messages: {max(gaps):.1f} s; "
              f"median {statistics.median(gaps) * 1000:.1f} ms")  # fmt: skip
    print(
        f"  received {figures['received']:,} · duplicates {figures['duplicates']} · "
        f"lost {figures['lost']}"
    )
    print(
        "  database: "
        + ", ".join(
            f"{status} {figures.get(status, 0):,}"
            for status in ("sent", "pending", "sending", "failed")
        )
        + f"; claims taken over from a dead worker: {figures['taken_over']}"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--kill-at", type=float, default=0.3)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    smtp_port = free_port()
    env = _env(smtp_port)
    print(f"Rebuilding {DATABASE_NAME} (drop, create, migrate)...", flush=True)
    scratch_database_rebuild(env)  # also empties the benchmark's own Redis db
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    scene = scene_create()
    logs = Path(tempfile.mkdtemp(prefix="nurture-bench-"))
    sink_log = logs / "received.log"
    sink_log.touch()
    processes: dict[str, subprocess.Popen | None] = {}
    outcome = []
    try:
        sink = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "bench" / "_smtp_sink.py"), str(smtp_port),
             str(sink_log)],
            cwd=BASE_DIR, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        processes["sink"] = sink
        if sink.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

        print(f"Making {args.steps:,} email steps due (phase 1)...", flush=True)
        first, last = due_steps_create(args.steps, "steady", scene)
        processes["worker-a"] = worker_start("worker-a", logs, env)
        processes["worker-b"] = worker_start("worker-b", logs, env)
        processes["beat"] = start_celery(
            ["beat", "--loglevel=INFO", f"--schedule={logs / 'beat-schedule'}"],
            logs / "beat.log", env, "beat: Starting",
        )  # fmt: skip
        started = time.time()  # nothing is queued before beat runs the first sweep
        print(f"2 workers and beat started; logs in {logs}", flush=True)
        groups = [processes["worker-a"].pid, processes["worker-b"].pid]
        cpu_before = cpu_seconds(process_groups=groups)
        finished = wait_all(sink_log, first, last, args.timeout)
        cpu_after = cpu_seconds(process_groups=groups)
        phase1 = report(
            f"Phase 1: {args.steps:,} email steps due at once, 2 worker processes"
            + ("" if finished else f" (TIMED OUT after {args.timeout:.0f} s)"),
            sink_log, first, last, started,
        )  # fmt: skip
        outcome.append(phase1)
        per_message = {
            name: (cpu_after[name] - cpu_before[name]) * 1000 / args.steps for name in cpu_after
        }
        print(
            f"  CPU per message: workers {per_message['workers']:.1f} ms, PostgreSQL "
            f"{per_message['database']:.1f} ms (load average {load_average()})"
        )

        print(f"\nMaking {args.steps:,} more email steps due (phase 2)...", flush=True)
        first, last = due_steps_create(args.steps, "killed", scene)
        started = time.time()
        killed_at = {}

        def kill_and_restart():
            victim = processes["worker-a"]
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            killed_at["t"] = time.time() - started
            print(f"  SIGKILL to worker-a's process group at {killed_at['t']:.1f} s", flush=True)
            time.sleep(2)
            processes["worker-a"] = worker_start("worker-a", logs, env)
            print(f"  worker-a restarted at {time.time() - started:.1f} s", flush=True)

        finished = wait_all(
            sink_log, first, last, args.timeout, kill=(args.kill_at, kill_and_restart)
        )
        time.sleep(3)  # a late duplicate would arrive now
        phase2 = report(
            f"Phase 2: {args.steps:,} more, one worker killed (SIGKILL) at "
            f"{args.kill_at:.0%} and restarted"
            + ("" if finished else f" (TIMED OUT after {args.timeout:.0f} s)"),
            sink_log, first, last, started,
        )  # fmt: skip
        outcome.append(phase2)
    finally:
        for name in ("beat", "worker-a", "worker-b", "sink"):
            stop(processes.get(name))

    ok = all(figures["duplicates"] == 0 and figures["lost"] == 0 for figures in outcome)
    print(f"\n{'OK' if ok else 'NOT OK'}: duplicates and lost must both be 0 in each phase.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
