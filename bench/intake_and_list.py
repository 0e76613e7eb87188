"""Intake and lead-list throughput under gunicorn, with a million leads in the database.

    .venv/bin/python bench/intake_and_list.py              # seeds leadcrm_bench if needed
    .venv/bin/python bench/intake_and_list.py --workers 2 --duration 10 --explain

(a) POST /api/v1/intake/ at concurrency 16 for 20 s, every request a new synthetic
person; (b) GET /api/v1/leads/ (first page, as a manager) at concurrency 16 for 20 s.
Both under gunicorn with 2 and then 3 sync workers; the load comes from wrk (C, a few
percent of one core) so the server keeps the CPU. Also prints the SQL queries of one
intake and one list request, run in-process. Traffic goes to 127.0.0.1 only.

In the same sitting, under the same gunicorn, a bare Django REST framework project
(bench/bare_drf: one model of 15 columns, a ModelSerializer create and a 50-row cursor
page, no auth, as many rows as leads) takes (c) creates and (d) list pages; LeadCRM's
figures are printed as ratios of its, which the machine's speed of the day cancels out.

Targets (issue 2, 2 cores): intake >= 200 leads/s with p95 < 100 ms; list >= 150 req/s.
Targets (issue 12): intake >= 40% of the bare create's rate with p95 < 150 ms; the lead
list >= 100% of the bare list's rate.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from _setup import (
    MILLION,
    ROOT,
    CpuMeter,
    _database_create_if_missing,
    bench_django_setup,
    bench_seed_if_needed,
    load_average,
)

BENCH_DIR = Path(__file__).resolve().parent
WRK_DIR = BENCH_DIR / "wrk"
TARGETS = {"intake_rate": 200.0, "intake_p95_ms": 100.0, "list_rate": 150.0}
# Issue 12: as fractions of the bare DRF project's rates, measured in the same sitting.
RATIO_TARGETS = {"intake": 0.40, "intake_p95_ms": 150.0, "list": 1.00}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 3], choices=range(1, 5))
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        choices=range(1, 9),
        help="Threads per worker: 1 runs gunicorn's sync workers, more its gthread ones.",
    )
    parser.add_argument("--duration", type=int, default=20, help="Seconds per measurement.")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--leads", type=int, default=MILLION, help="Seed up to this many.")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queries.")
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a target is missed.")
    args = parser.parse_args()
    if len(args.workers) > 2:
        parser.error("Compare at most two worker counts per run.")

    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is missing: install it with `apt-get install -y wrk`.", file=sys.stderr)
        return 2
    env = bench_django_setup()
    bench_seed_if_needed(args.leads, env)
    bare_env = _bare_setup(env, rows=args.leads)
    intake_key, token, run = _credentials()
    print(f"Load average before: {load_average()}")

    from _query_counts import query_counts_print  # beside this script

    query_counts_print(intake_key=intake_key, token=token, explain=args.explain)

    # Each intake invocation numbers its people from its own base (up to 200,000 each).
    bases = iter(range(run * 1_000_000, (run + 1) * 1_000_000, 200_000))
    results = {}
    for workers in args.workers:
        label = (
            f"{workers} sync workers"
            if args.threads == 1
            else (f"{workers} gthread workers x {args.threads} threads")
        )
        with _gunicorn(workers, args.threads, env) as (base_url, server_pid):
            _wrk(wrk, base_url, "intake", intake_key, token, next(bases), 3, args.concurrency)
            _wrk(wrk, base_url, "list", intake_key, token, 0, 3, args.concurrency)
            meter = CpuMeter(server_pid=server_pid)
            meter.start()
            intake = _wrk(
                wrk,
                base_url,
                "intake",
                intake_key,
                token,
                next(bases),
                args.duration,
                args.concurrency,
            )
            intake["cpu"] = meter.stop()
            meter.start()
            listing = _wrk(
                wrk, base_url, "list", intake_key, token, 0, args.duration, args.concurrency
            )
            listing["cpu"] = meter.stop()
            # Calibration: Django's cheapest view. shared/PERFORMANCE.md measured 2,400-3,350
            # req/s for a plain JSON view here; how far this falls short shows how busy the
            # machine is, whatever the neighbours are doing.
            meter.start()
            baseline = _wrk(wrk, base_url, "healthz", intake_key, token, 0, 5, args.concurrency)
            baseline["cpu"] = meter.stop()
        with _gunicorn(workers, args.threads, bare_env, app="bare_drf.wsgi:application") as (
            bare_url,
            _,
        ):
            _wrk(wrk, bare_url, "bare_create", "", "", 0, 3, args.concurrency)
            _wrk(wrk, bare_url, "bare_list", "", "", 0, 3, args.concurrency)
            bare_create = _wrk(
                wrk, bare_url, "bare_create", "", "", 0, args.duration, args.concurrency
            )
            bare_list = _wrk(wrk, bare_url, "bare_list", "", "", 0, args.duration, args.concurrency)
        _print_result(f"Intake POST /api/v1/intake/, {label}", intake, "leads/s")
        _print_result(f"List GET /api/v1/leads/, {label}", listing, "req/s")
        _print_result(f"Baseline GET /healthz/, {label}", baseline, "req/s")
        _print_result(f"Bare DRF create POST /inquiries/, {label}", bare_create, "leads/s")
        _print_result(f"Bare DRF list GET /inquiries/, {label}", bare_list, "req/s")
        intake["ratio"] = intake["good_rate"] / max(bare_create["good_rate"], 1e-9)
        listing["ratio"] = listing["good_rate"] / max(bare_list["good_rate"], 1e-9)
        print(
            f"    As ratios of the bare DRF project: intake {intake['ratio']:.0%} of its "
            f"create, lead list {listing['ratio']:.0%} of its list"
        )
        results[workers] = (intake, listing)
    _redis_queue_clear(env["REDIS_URL"])
    print(f"Load average after: {load_average()}")
    return _verdict(results, strict=args.strict)


def _credentials() -> tuple[str, str, int]:
    """A fresh intake key, a manager's API token, and a run number (0-49) whose synthetic
    phones and emails no earlier run used, so almost every POST makes a new lead."""
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import User
    from apps.intake.services import intake_key_create
    from apps.people.models import Person

    _, raw_key = intake_key_create(name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}")
    manager = User.objects.get(username="manager")
    token, _ = Token.objects.get_or_create(user=manager)
    for run in range(50):
        if not Person.objects.filter(email__startswith=f"bench{run}.").exists():
            return raw_key, token.key, run
    return raw_key, token.key, int(time.time()) % 50


def _bare_setup(env: dict[str, str], *, rows: int) -> dict[str, str]:
    """The bare DRF project's own database beside the bench one, its table, and as many
    rows as the bench has leads (generated by PostgreSQL: a few seconds per million)."""
    import psycopg2

    database_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/leadcrm_bench_bare"
    bare_env = {
        "BARE_DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bare_drf.settings",
        "PYTHONPATH": str(BENCH_DIR),
    }
    _database_create_if_missing(database_url)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **bare_env},
        check=True,
    )
    with psycopg2.connect(database_url) as bare, bare.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bare_drf_inquiry")
        missing = rows - cursor.fetchone()[0]
        if missing > 0:
            print(f"Seeding {missing} rows into the bare DRF project's table")
            cursor.execute(
                "INSERT INTO bare_drf_inquiry (first_name, last_name, phone, email,"
                " service_line, location, channel, lead_type, urgency, payer, message,"
                " utm_source, landing_page, created_at)"
                " SELECT 'Ana', 'Garcia', '+1' || (2000000000 + g)::text,"
                " 'seed' || g || '@example.com', 'orthopedics', 'riverside-general',"
                " 'web_form', 'patient', 'routine', 'Aetna', 'Knee pain.', 'google', '',"
                " now() - g * interval '30 seconds' FROM generate_series(1, %s) AS g",
                [missing],
            )
            cursor.execute("ANALYZE bare_drf_inquiry")
    return bare_env


@contextmanager
def _gunicorn(
    workers: int, threads: int, env: dict[str, str], *, app: str = "leadcrm.wsgi:application"
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "python:leadcrm.gunicorn_conf",  # the web process's own settings, for both
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync" if threads == 1 else "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        # Workers load the safety pipelines at start: on a machine loaded by other work
        # that took over a minute.
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz/", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base_url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wrk(wrk, base_url, kind, intake_key, token, base, duration, concurrency) -> dict:
    if kind == "intake":
        script, path, headers = WRK_DIR / "intake.lua", "/api/v1/intake/", []
    elif kind == "healthz":
        script, path, headers = WRK_DIR / "get.lua", "/healthz/", []
    elif kind == "bare_create":
        script, path, headers = WRK_DIR / "bare_create.lua", "/inquiries/", []
    elif kind == "bare_list":
        script, path, headers = WRK_DIR / "get.lua", "/inquiries/", []
    else:
        script, path = WRK_DIR / "get.lua", "/api/v1/leads/"
        headers = ["-H", f"Authorization: Token {token}", "-H", "Accept: application/json"]
    completed = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{concurrency}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            *headers,
            base_url + path,
        ],
        env={**os.environ, "BENCH_INTAKE_KEY": intake_key, "BENCH_BASE": str(base)},
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed: {completed.stderr or completed.stdout}")
    line = next(row for row in completed.stdout.splitlines() if row.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def _print_result(title: str, result: dict, unit: str) -> None:
    statuses = result["statuses"]
    good = sum(count for status, count in statuses.items() if status.startswith("2"))
    errors = result["requests"] - good + result["socket_errors"]
    created = statuses.get("201", 0)
    duration = result["duration_us"] / 1e6
    rate = (created if unit == "leads/s" else good) / duration
    print(
        f"{title}: {rate:7.1f} {unit}  p50 {result['p50_us'] / 1000:6.1f} ms  "
        f"p95 {result['p95_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms  "
        f"max {result['max_us'] / 1000:6.1f} ms  errors {errors}  statuses {statuses}"
    )
    result["good_rate"] = rate
    result["errors"] = errors
    if "cpu" not in result:  # the bare project's: its database is not metered
        return
    cpu, served = result["cpu"], max(result["requests"], 1)
    per_request = (cpu["app"] + cpu["db"]) / served
    result["idle_capacity"] = 2 / per_request if per_request else 0.0
    print(
        f"    CPU per request: app {cpu['app'] / served * 1000:.1f} ms + PostgreSQL "
        f"{cpu['db'] / served * 1000:.1f} ms, so at most {result['idle_capacity']:.0f}/s "
        "with both cores free"
    )


def _verdict(results: dict, *, strict: bool) -> int:
    best_intake = max(results, key=lambda w: results[w][0]["good_rate"])
    best_list = max(results, key=lambda w: results[w][1]["good_rate"])
    intake, listing = results[best_intake][0], results[best_list][1]
    checks = [
        (
            f"intake {intake['good_rate']:.0f} leads/s >= {TARGETS['intake_rate']:.0f}",
            intake["good_rate"] >= TARGETS["intake_rate"],
        ),
        (
            f"intake p95 {intake['p95_us'] / 1000:.0f} ms < {TARGETS['intake_p95_ms']:.0f} ms",
            intake["p95_us"] / 1000 < TARGETS["intake_p95_ms"],
        ),
        (
            f"list {listing['good_rate']:.0f} req/s >= {TARGETS['list_rate']:.0f}",
            listing["good_rate"] >= TARGETS["list_rate"],
        ),
        ("no errors", intake["errors"] == 0 and listing["errors"] == 0),
        (
            f"intake {intake['ratio']:.0%} of the bare DRF create >= "
            f"{RATIO_TARGETS['intake']:.0%}, p95 < {RATIO_TARGETS['intake_p95_ms']:.0f} ms",
            intake["ratio"] >= RATIO_TARGETS["intake"]
            and intake["p95_us"] / 1000 < RATIO_TARGETS["intake_p95_ms"],
        ),
        (
            f"lead list {listing['ratio']:.0%} of the bare DRF list >= {RATIO_TARGETS['list']:.0%}",
            listing["ratio"] >= RATIO_TARGETS["list"],
        ),
    ]
    print(f"\nFaster: intake with {best_intake} workers, list with {best_list} workers.")
    for text, passed in checks:
        print(f"  {'PASS' if passed else 'MISS'}  {text}")
    return 1 if strict and not all(passed for _, passed in checks) else 0


def _redis_queue_clear(redis_url: str) -> None:
    """Drop the routing tasks the intake run queued: no worker runs during the bench."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")


if __name__ == "__main__":
    sys.exit(main())
