"""Routing latency: from intake commit to owner assigned, through the real pipeline.

    .venv/bin/python bench/routing_latency.py            # 1,000 leads at 10 per second
    .venv/bin/python bench/routing_latency.py --leads 200 --rate 50

Builds its own database (leadcrm_bench_routing, dropped and migrated), seeds a small
hospital (teams, members, three routing rules, an intake key), starts gunicorn, a Celery
worker and beat as subprocesses against it and a Redis database of its own, POSTs the
leads to /api/v1/intake/, waits until every lead has an owner, and prints p50/p95/max.

Latency is the assignment entry's insert time minus the lead's created_at: created_at is
stamped inside the intake transaction just before it commits, so the figure is an upper
bound of commit-to-owner. Target: p95 under 1 s. Bounded: every wait has a deadline.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_routing")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
# A Redis database of this benchmark alone (others use 10, 12, 13): flushed at the start.
REDIS_URL = os.environ.get("BENCH_ROUTING_REDIS_URL", "redis://127.0.0.1:6379/8")
PORT = int(os.environ.get("BENCH_PORT", "8791"))

LANGUAGES = ["en"] * 8 + ["es"] * 2  # one lead in five asks for Spanish
SERVICE_LINES = ["orthopedics", "cardiology", "oncology", "bariatrics"]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BASE_DIR),
    }


def _django_setup() -> None:
    os.environ.update(_env())
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def database_rebuild() -> None:
    import psycopg2

    admin = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    admin.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=BASE_DIR, env=_env(), check=True, timeout=600,
    )  # fmt: skip


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


def intake_queues_routing() -> bool:
    """Whether apps.intake already queues routing after commit (the lead wires it)."""
    return "lead_routing_queue" in (BASE_DIR / "apps/intake/services.py").read_text()


def wsgi_with_routing_hook():
    """gunicorn factory used only while apps.intake lacks the hook: queues routing for a
    new lead inside the intake transaction, at the spot its comment marks."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()  # sets Django up before the apps are imported

    import apps.intake.services as intake_services
    from apps.routing.services import lead_routing_queue

    lead_create = intake_services.lead_create

    def lead_create_and_queue_routing(**kwargs):
        lead = lead_create(**kwargs)
        lead_routing_queue(lead_id=lead.pk)
        return lead

    intake_services.lead_create = lead_create_and_queue_routing
    return application


def _wait_for_log(process, log_path: Path, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text()[-3000:])
        if marker in log_path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"no {marker!r} in {log_path} after {timeout}s")


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


def processes_start(log_dir: Path, hooked: bool) -> list[subprocess.Popen]:
    app = "leadcrm.wsgi:application" if hooked else "bench.routing_latency:wsgi_with_routing_hook()"
    commands = {
        "gunicorn": [sys.executable, "-m", "gunicorn", app, "--workers", "2",
                     "--bind", f"127.0.0.1:{PORT}", "--access-logfile", "-"],
        "worker": [sys.executable, "-m", "celery", "-A", "leadcrm", "worker", "--pool=prefork",
                   "--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "--hostname=bench-routing@%h"],
        "beat": [sys.executable, "-m", "celery", "-A", "leadcrm", "beat", "--loglevel=INFO",
                 f"--schedule={log_dir / 'beat-schedule'}"],
    }  # fmt: skip
    started = []
    try:
        for name, command in commands.items():
            log = (log_dir / f"{name}.log").open("w")
            started.append(
                subprocess.Popen(
                    command, cwd=BASE_DIR, env=_env(), stdout=log, stderr=subprocess.STDOUT
                )
            )
        _wait_for_log(started[1], log_dir / "worker.log", "ready.", timeout=120)
        _wait_for_log(started[2], log_dir / "beat.log", "beat: Starting", timeout=120)
        _wait_for_http(timeout=120)
    except BaseException:
        processes_stop(started)
        raise
    return started


def processes_stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def leads_post(
    raw_key: str, count: int, rate: float, threads: int, *, first: int = 0, quiet: bool = False
) -> dict[int, float]:
    """POST `count` inquiries, paced at `rate` per second; returns {lead id: when the 201
    arrived (epoch seconds)}."""
    from faker import Faker

    local = threading.local()
    started = time.monotonic()
    faker = Faker()
    Faker.seed(42)
    bodies = [
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
        f"in p50 {_ms(_percentile(took, 50))}  p95 {_ms(_percentile(took, 95))}"
    )
    return {lead_id: answered_at for lead_id, answered_at, _ in answers}


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(percent / 100 * len(ordered)) - 1)]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1000, help="at most 5,000")
    parser.add_argument("--warmup", type=int, default=40, help="leads posted first, not counted")
    parser.add_argument("--rate", type=float, default=10.0, help="leads posted per second")
    parser.add_argument("--threads", type=int, default=4, help="concurrent intake clients")
    parser.add_argument("--timeout", type=float, default=120.0, help="wait for owners (s)")
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    print(f"database {DATABASE_NAME}: rebuilding and migrating ...", flush=True)
    database_rebuild()
    _django_setup()
    raw_key = hospital_seed()
    hooked = intake_queues_routing()
    if not hooked:
        print(
            "note: apps.intake does not queue routing yet; gunicorn runs with the benchmark's hook"
        )
    log_dir = Path(tempfile.mkdtemp(prefix="routing-bench-"))
    print(f"process logs in {log_dir}")
    print(f"machine load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    processes = processes_start(log_dir, hooked)
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
            f"  {label}:\n    p50 {_ms(_percentile(seconds, 50))}   "
            f"p95 {_ms(_percentile(seconds, 95))}   max {_ms(max(seconds))}"
        )
    p95 = _percentile(from_created, 95)
    print(f"  target p95 < 1000 ms (upper bound): {'met' if p95 < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
