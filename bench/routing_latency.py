"""Routing latency: from intake commit to owner assigned, through the real pipeline.

    .venv/bin/python bench/routing_latency.py            # 1,000 leads at 10 per second
    .venv/bin/python bench/routing_latency.py --leads 200 --rate 50
    .venv/bin/python bench/routing_latency.py --on-bench-data   # cost only, 1M leads

Builds its own database (leadcrm_bench_routing, dropped and migrated), seeds a small
hospital (teams, members, three routing rules, an intake key), starts gunicorn, a Celery
worker and beat as subprocesses against it and a Redis database of its own, POSTs the
leads to /api/v1/intake/, waits until every lead has an owner, and prints p50/p95/max.

Latency is the assignment entry's insert time minus the lead's created_at: created_at is
stamped inside the intake transaction just before it commits, so the figure is an upper
bound of commit-to-owner. Target: p95 under 1 s. Bounded: every wait has a deadline.

Then the cost of one routing, whatever the machine's load: `lead_route` run in this
process on fresh leads, with its CPU time, its PostgreSQL backend's CPU time and its
queries. `--on-bench-data` measures only that, on the 1M-lead bench database
(leadcrm_bench, with its demo rules and loaded teams), inside a transaction that is
rolled back, so the shared data set is left as it was.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (
    CELERY_WORKER_ARGS,
    DEFAULT_DATABASE_URL,
    celery_start,
    cpu_seconds,
    log_wait,
    percentile,
    processes_stop,
    scratch_database_rebuild,
    scratch_django_setup,
    scratch_environment,
)

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_routing")
# A Redis database of this benchmark alone (others use 10, 12, 13): flushed at the start.
REDIS_URL = os.environ.get("BENCH_ROUTING_REDIS_URL", "redis://127.0.0.1:6379/8")
PORT = int(os.environ.get("BENCH_PORT", "8791"))
ENV = scratch_environment(database=DATABASE_NAME, redis_url=REDIS_URL)

LANGUAGES = ["en"] * 8 + ["es"] * 2  # one lead in five asks for Spanish
SERVICE_LINES = ["orthopedics", "cardiology", "oncology", "bariatrics"]


def hospital_seed() -> str:
    """Teams, members, rules and an intake key; returns the raw key."""
    from faker import Faker

    from apps.accounts.models import User
    from apps.facilities.models import Location
    from apps.intake.services import intake_key_create
    from apps.routing.choices import Strategy
    from apps.routing.models import RoutingRule
    from apps.servicelines.models import ServiceLine
    from apps.teams.models import Team, TeamMembership

    faker = Faker()
    Faker.seed(7)

    lines = {
        slug: ServiceLine.objects.create(name=slug.title(), slug=slug) for slug in SERVICE_LINES
    }
    Location.objects.create(name="Main Campus", slug="main", time_zone="America/Chicago")
    central = Team.objects.create(name="Central intake", slug="central", is_fallback=True)
    spanish = Team.objects.create(name="Spanish line", slug="spanish")
    heart = Team.objects.create(name="Heart and cancer", slug="heart-cancer")
    ortho = Team.objects.create(name="Orthopedics intake", slug="ortho")
    staffing = [
        (central, 3, ["en"]),
        (spanish, 3, ["en", "es"]),
        (heart, 3, ["en"]),
        (ortho, 3, ["en"]),
    ]
    for team, count, languages in staffing:
        for _ in range(count):
            # Capacity far above 1,000 / 12: the benchmark measures speed, not overflow.
            user = User.objects.create_user(
                username=faker.unique.user_name(),
                first_name=faker.first_name(),
                last_name=faker.last_name(),
                languages=languages,
                max_open_leads=1000,
                is_on_shift=True,
            )
            TeamMembership.objects.create(team=team, user=user)
    spanish_only = {"languages": ["es"], "match_language": True}
    heart_lines = [lines["cardiology"], lines["oncology"]]
    rules = [
        ("Spanish speakers", spanish, Strategy.ROUND_ROBIN, spanish_only, []),
        ("Heart and cancer", heart, Strategy.LEAST_LOAD, {}, heart_lines),
        ("Orthopedics", ortho, Strategy.ROUND_ROBIN, {}, [lines["orthopedics"]]),
    ]  # fmt: skip
    for position, (name, team, strategy, fields, service_lines) in enumerate(rules, start=1):
        rule = RoutingRule.objects.create(
            name=name, position=position, target_team=team, strategy=strategy, **fields
        )
        rule.service_lines.set(service_lines)
    _, raw_key = intake_key_create(name="routing-benchmark")
    return raw_key


def _wait_for_http(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer")


def processes_start(log_dir: Path) -> list:
    gunicorn = [sys.executable, "-m", "gunicorn", "leadcrm.wsgi:application", "--workers", "2",
                "--bind", f"127.0.0.1:{PORT}", "--access-logfile", "-"]  # fmt: skip
    started = []
    try:
        log = (log_dir / "gunicorn.log").open("w")
        started.append(
            subprocess.Popen(gunicorn, cwd=ENV["PYTHONPATH"], env=ENV, stdout=log,
                             stderr=subprocess.STDOUT)
        )  # fmt: skip
        worker = celery_start(
            [*CELERY_WORKER_ARGS, "--concurrency=2", "--hostname=bench-routing@%h"],
            env=ENV,
            log=log_dir / "worker.log",
        )
        started.append(worker)
        beat = celery_start(
            ["beat", "--loglevel=INFO", f"--schedule={log_dir / 'beat-schedule'}"],
            env=ENV,
            log=log_dir / "beat.log",
        )
        started.append(beat)
        log_wait(worker, log_dir / "worker.log", "ready.", timeout=120)
        log_wait(beat, log_dir / "beat.log", "beat: Starting", timeout=120)
        _wait_for_http(timeout=120)
    except BaseException:
        processes_stop(started)
        raise
    return started


def _inquiries(*, first: int, count: int) -> list[dict]:
    """Inquiries from new people numbered first.. (below 10,000: phone numbers)."""
    from faker import Faker

    faker = Faker()
    Faker.seed(42)
    return [
        {
            "lead_type": "patient",
            "channel": "web_form",
            "service_line": SERVICE_LINES[i % len(SERVICE_LINES)],
            "location": "main",
            "person": {
                "first_name": faker.first_name(),
                "last_name": faker.last_name(),
                "email": f"bench.{i}@example.com",
                "phone": f"+1312555{i:04d}",
                "preferred_language": LANGUAGES[i % len(LANGUAGES)],
            },
            "message": "Asking about a consultation.",
        }
        for i in range(first, first + count)
    ]


def leads_post(
    raw_key: str, count: int, rate: float, threads: int, *, first: int = 0, quiet: bool = False
) -> dict[int, float]:
    """POST `count` inquiries, paced at `rate` per second; returns {lead id: when the 201
    arrived (epoch seconds)}."""
    local = threading.local()
    started = time.monotonic()
    bodies = _inquiries(first=first, count=count)

    def post(i: int) -> tuple[int, float, float]:
        time.sleep(max(0.0, started + i / rate - time.monotonic()))
        body = bodies[i]
        sent_at = time.time()
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        local.conn.request(
            "POST",
            "/api/v1/intake/",
            body=json.dumps(body),
            headers={"Authorization": f"Api-Key {raw_key}", "Content-Type": "application/json"},
        )
        response = local.conn.getresponse()
        payload = response.read()
        if response.status != 201:
            raise RuntimeError(f"intake answered {response.status}: {payload[:300]!r}")
        answered_at = time.time()  # the same clock the app stamps created_at with
        return json.loads(payload)["id"], answered_at, answered_at - sent_at

    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(post, range(count)))
    elapsed = time.monotonic() - started
    took = sorted(answer[2] for answer in answers)
    if quiet:
        return {lead_id: answered_at for lead_id, answered_at, _ in answers}
    print(
        f"posted {count} leads in {elapsed:.1f} s ({count / elapsed:.0f}/s); intake answered "
        f"in p50 {_ms(percentile(took, 0.5))}  p95 {_ms(percentile(took, 0.95))}"
    )
    return {lead_id: answered_at for lead_id, answered_at, _ in answers}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def latencies_wait(answered_at: dict[int, float], timeout: float) -> tuple[list, list]:
    """Wait until every lead has an owner; returns (from created_at, from the 201) in s."""
    from django.db import connection
    from django.db.models import Min, OuterRef, Subquery

    from apps.leads.models import Activity, Lead

    lead_ids = list(answered_at)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        unowned = Lead.objects.filter(pk__in=lead_ids, owner__isnull=True).count()
        if unowned == 0:
            break
        time.sleep(0.5)
    else:
        print(f"{unowned} leads still without an owner after {timeout:.0f} s")
    first_assignment = (
        Activity.objects.filter(
            lead=OuterRef("pk"), kind="assignment", details__to_owner_id__isnull=False
        )
        .order_by()
        .values("lead")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    rows = Lead.objects.filter(pk__in=lead_ids).annotate(assigned_at=Subquery(first_assignment))
    from_created, from_answer = [], []
    for row in rows.only("created_at"):
        if row.assigned_at is not None:
            from_created.append((row.assigned_at - row.created_at).total_seconds())
            from_answer.append(max(0.0, row.assigned_at.timestamp() - answered_at[row.pk]))
    connection.close()
    return from_created, from_answer


def routing_cost_print(lead_ids: list[int], *, label: str) -> None:
    """Route the leads in this process, one after another, and print the cost of one
    routing: this process's CPU time, its PostgreSQL backend's CPU time, and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.routing.services import lead_route

    warm, measured = lead_ids[:20], lead_ids[20:]
    for lead_id in warm:  # imports, and the per-process copies of rules and policies
        lead_route(lead_id=lead_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu, db, wall = time.process_time(), cpu_seconds(backend), time.perf_counter()
    for lead_id in measured[:-1]:
        lead_route(lead_id=lead_id)
    count = len(measured) - 1
    cpu, db = time.process_time() - cpu, cpu_seconds(backend) - db
    wall = time.perf_counter() - wall
    with CaptureQueriesContext(connection) as queries:  # the last one, copies warm
        lead_route(lead_id=measured[-1])
    print(
        f"one routing, {label} (mean of {count}): Python CPU {cpu / count * 1000:.1f} ms, "
        f"PostgreSQL CPU {db / count * 1000:.1f} ms, wall {wall / count * 1000:.1f} ms, "
        f"{len(queries)} SQL statements:"
    )
    for query in queries.captured_queries:
        sql = re.sub(r"\s+", " ", query["sql"])
        print(f"    {sql[:110]}")


def routing_cost_on_new_leads(raw_key: str, count: int) -> None:
    """Post `count` more inquiries through the intake API in this process (their routing
    tasks are dropped from the queue: no worker runs now) and route them here."""
    import redis
    from django.test import Client

    client = Client()
    lead_ids = []
    for body in _inquiries(first=7000, count=count + 21):
        response = client.post(
            "/api/v1/intake/", data=json.dumps(body), content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {raw_key}", HTTP_HOST="127.0.0.1",
        )  # fmt: skip
        lead_ids.append(response.json()["id"])
    redis.Redis.from_url(REDIS_URL).flushdb()
    routing_cost_print(lead_ids, label="small hospital, committed")


def routing_cost_on_bench_data(count: int) -> None:
    """The cost of routing on the 1M-lead bench database: its most recent open leads are
    made unrouted and routed again inside one transaction that is then rolled back."""
    from django.db import transaction

    from apps.leads.models import Lead

    class RolledBack(Exception):
        pass

    try:
        with transaction.atomic():
            lead_ids = list(
                Lead.objects.filter(closed_at__isnull=True)
                .order_by("-created_at")
                .values_list("pk", flat=True)[: count + 21]
            )
            Lead.objects.filter(pk__in=lead_ids).update(routed_at=None, owner=None)
            routing_cost_print(lead_ids, label="1M-lead bench data, rolled back")
            raise RolledBack
    except RolledBack:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1000, help="at most 5,000")
    parser.add_argument("--warmup", type=int, default=40, help="leads posted first, not counted")
    parser.add_argument("--rate", type=float, default=10.0, help="leads posted per second")
    parser.add_argument("--threads", type=int, default=4, help="concurrent intake clients")
    parser.add_argument("--timeout", type=float, default=120.0, help="wait for owners (s)")
    parser.add_argument("--cost-leads", type=int, default=200, help="routings timed in-process")
    parser.add_argument(
        "--on-bench-data", action="store_true",
        help="only the in-process cost, on the 1M-lead bench database (rolled back)",
    )  # fmt: skip
    args = parser.parse_args()

    if args.on_bench_data:
        database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
        scratch_django_setup({**ENV, "DATABASE_URL": database_url})
        routing_cost_on_bench_data(args.cost_leads)
        return

    print(f"database {DATABASE_NAME}: rebuilding and migrating ...", flush=True)
    scratch_database_rebuild(ENV)
    scratch_django_setup(ENV)
    raw_key = hospital_seed()
    log_dir = Path(tempfile.mkdtemp(prefix="routing-bench-"))
    print(f"process logs in {log_dir}")
    print(f"machine load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    processes = processes_start(log_dir)
    try:
        # Warm-up, not counted: each fresh process imports and connects on its first
        # requests and tasks (seconds here, where Python does not cache bytecode).
        warm = leads_post(raw_key, args.warmup, args.rate, args.threads, first=5000, quiet=True)
        latencies_wait(warm, args.timeout)
        print(f"warmed up with {len(warm)} leads", flush=True)
        answered_at = leads_post(raw_key, args.leads, args.rate, args.threads)
        from_created, from_answer = latencies_wait(answered_at, args.timeout)
    finally:
        processes_stop(processes)

    if not from_created:
        print("no lead was routed")
        sys.exit(1)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    print(f"routed {len(from_created)}/{len(answered_at)} leads; intake commit -> owner assigned")
    for label, seconds in (
        ("from the lead's created_at (before commit; upper bound)", from_created),
        ("from the 201 reaching the client (after commit; lower bound)", from_answer),
    ):
        print(
            f"  {label}:\n    p50 {_ms(percentile(seconds, 0.5))}   "
            f"p95 {_ms(percentile(seconds, 0.95))}   max {_ms(max(seconds))}"
        )
    p95 = percentile(from_created, 0.95)
    print(f"  target p95 < 1000 ms (upper bound): {'met' if p95 < 1.0 else 'NOT met'}")
    routing_cost_on_new_leads(raw_key, args.cost_leads)


if __name__ == "__main__":
    main()
