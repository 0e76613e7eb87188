"""Intake and lead-list throughput under gunicorn, with a million leads in the database.

    .venv/bin/python bench/intake_and_list.py              # seeds leadcrm_bench if needed
    .venv/bin/python bench/intake_and_list.py --workers 2 --duration 10 --explain

(a) POST /api/v1/intake/ at concurrency 16 for 20 s, every request a new synthetic
person; (b) GET /api/v1/leads/ (first page, as a manager) at concurrency 16 for 20 s.
Both under gunicorn with 2 and then 3 sync workers; the load comes from wrk (C, a few
percent of one core) so the server keeps the CPU. Also prints the SQL queries of one
intake and one list request, run in-process. Traffic goes to 127.0.0.1 only.

Targets (issue 2, 2 cores): intake >= 200 leads/s with p95 < 100 ms; list >= 150 req/s.
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
    bench_django_setup,
    bench_seed_if_needed,
    load_average,
)

WRK_DIR = Path(__file__).resolve().parent / "wrk"
TARGETS = {"intake_rate": 200.0, "intake_p95_ms": 100.0, "list_rate": 150.0}


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
        results[workers] = (intake, listing)
        _print_result(f"Intake POST /api/v1/intake/, {label}", intake, "leads/s")
        _print_result(f"List GET /api/v1/leads/, {label}", listing, "req/s")
        _print_result(f"Baseline GET /healthz/, {label}", baseline, "req/s")
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


@contextmanager
def _gunicorn(workers: int, threads: int, env: dict[str, str]):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "python:leadcrm.gunicorn_conf",  # the web process's own settings
            "leadcrm.wsgi:application",
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
        deadline = time.monotonic() + 60
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
