"""What the access log adds to the lead page and the lead list (issue 14): target < 2 ms.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/leadcrm_bench_access \\
        .venv/bin/python bench/access_log.py [--leads 20000] [--requests 200]

In-process, so a loaded machine's noise stays out of it as far as it can: requests go
through Django's full stack (django.test.Client: middleware, session, view, selectors,
templates) one after another; each statement is timed with a database execute wrapper,
so the INSERT into audit_accesslog is measured on its own, inside real pages. Then
access_record() (the whole Python + SQL cost of one entry) is timed alone. Prints
medians and p95 in milliseconds.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import bench_django_setup, bench_seed_if_needed, load_average

TARGET_MS = 2.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def measure(label: str, make_request, count: int) -> dict:
    from django.db import connection

    totals, inserts = [], []
    statement_ms: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.lstrip().upper().startswith('INSERT INTO "AUDIT_ACCESSLOG"'):
                statement_ms.append((time.perf_counter() - started) * 1000)

    for _ in range(5):
        make_request()  # warm caches and the connection
    for _ in range(count):
        statement_ms.clear()
        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            response = make_request()
            totals.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert len(statement_ms) == 1, f"{label}: {len(statement_ms)} access log inserts"
        inserts.append(statement_ms[0])
    row = {
        "label": label,
        "p50": statistics.median(totals),
        "p95": percentile(totals, 0.95),
        "insert_p50": statistics.median(inserts),
        "insert_p95": percentile(inserts, 0.95),
    }
    print(
        f"{label:<22} page p50 {row['p50']:7.2f} ms  p95 {row['p95']:7.2f} ms   "
        f"access log INSERT p50 {row['insert_p50']:.3f} ms  p95 {row['insert_p95']:.3f} ms"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    env = bench_django_setup()
    from django.conf import settings

    # collectstatic has not run for a benchmark: serve {% static %} names as they are.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    bench_seed_if_needed(args.leads, env)

    from django.db.models import Count, Q
    from django.test import Client

    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.audit.services import access_record
    from apps.leads.models import Lead

    coordinator = (
        User.objects.filter(groups__name=Role.INTAKE_COORDINATOR, is_active=True)
        .annotate(open_leads=Count("owned_leads", filter=Q(owned_leads__closed_at__isnull=True)))
        .order_by("-open_leads", "id")
        .first()
    )
    lead = Lead.objects.filter(owner=coordinator).order_by("-created_at").first()
    client = Client(HTTP_USER_AGENT="bench/access_log", REMOTE_ADDR="127.0.0.1")
    client.force_login(coordinator)
    print(f"load average {load_average()}; {args.requests} requests each; {coordinator}")

    measure("lead page", lambda: client.get(f"/leads/{lead.pk}/"), args.requests)
    measure("lead list (API, 50)", lambda: client.get("/api/v1/leads/"), args.requests)

    page = list(Lead.objects.filter(owner=coordinator).values_list("id", "person_id")[:50])
    worst = {}
    for synchronous in (True, False):
        settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = synchronous
        calls = []
        for _ in range(args.requests):
            started = time.perf_counter()
            access_record(
                user=coordinator,
                what="bench",
                lead_ids=[pk for pk, _ in page],
                person_ids=[person for _, person in page],
            )
            calls.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(calls), percentile(calls, 0.95)
        worst[synchronous] = p95
        print(
            f"access_record(50 ids), ACCESS_LOG_SYNCHRONOUS_COMMIT={str(synchronous).lower():<5} "
            f"p50 {p50:.3f} ms  p95 {p95:.3f} ms (Python, SQL and commit of one entry)"
        )
    settings.ACCESS_LOG_SYNCHRONOUS_COMMIT = True
    uncommitted = entry_without_commit(args.requests, coordinator, page)
    print(f"access_record(50 ids) inside a transaction, no commit: p50 {uncommitted}")
    floor = commit_floor(args.requests)
    print(f"the floor on this machine now: a one-column INSERT and its commit p50 {floor}")
    for synchronous, p95 in worst.items():
        verdict = "met" if p95 < TARGET_MS else "MISSED"
        print(f"added cost p95, synchronous commit {synchronous}: {p95:.3f} ms ({verdict})")
    return 0


def entry_without_commit(count: int, user, page: list[tuple[int, int]]) -> str:
    """access_record's own cost (Python and the INSERT into the partitioned table with its
    indexes), without the commit's WAL flush: inside a transaction that is rolled back."""
    from django.db import transaction

    from apps.audit.services import access_record

    times = []
    with transaction.atomic():
        for _ in range(count):
            started = time.perf_counter()
            access_record(
                user=user,
                what="bench",
                lead_ids=[pk for pk, _ in page],
                person_ids=[person for _, person in page],
            )
            times.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)
    return f"{statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms"


def commit_floor(count: int) -> str:
    """A one-column INSERT committed on its own, timed the same way: the machine's
    commit (WAL flush) cost, which no access log can go under with synchronous commit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_floor (a integer)")
        times = []
        for _ in range(count):
            started = time.perf_counter()
            cursor.execute("INSERT INTO bench_commit_floor VALUES (1)")
            times.append((time.perf_counter() - started) * 1000)
        cursor.execute("DROP TABLE bench_commit_floor")
    return f"{statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms"


if __name__ == "__main__":
    sys.exit(main())
