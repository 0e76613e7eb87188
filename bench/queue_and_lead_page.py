"""Server time of the coordinator's queue and lead page on a million leads (issue 4).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/leadcrm_bench_queue \\
        .venv/bin/python bench/queue_and_lead_page.py [--requests 300] [--explain] [--strict]

Uses the bench database (seeded with `seed_demo --leads 1000000` if it holds fewer
leads). Requests go through Django's full stack in-process (django.test.Client:
middleware, session, view, selectors, templates), one after another, each timed, so the
figures are server time without a network or a WSGI server; DEBUG is off. The user is
the intake coordinator with the most open leads (the heaviest queue in the data set); the
search runs again as the team member with the fewest (a queue of a real coordinator's
size, where what a search costs is what it looks at outside the coordinator's reach).
`--only search` measures the searches alone.
Prints p50/p95/max, the SQL query count of each page, and the CPU time per request of
this process and its PostgreSQL backend (what the page costs whatever else the machine
is doing). Targets: p95 under 150 ms for the queue page and for the lead page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import (
    MILLION,
    bench_django_setup,
    bench_seed_if_needed,
    cpu_seconds,
    load_average,
    most_common_surname,
)

TARGET_P95_MS = 150.0
TARGETED = ("queue page", "lead page")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def estimated_rows(connection, table: str) -> int:
    # pg_class's estimate: a COUNT(*) over a million rows is what the pages avoid too.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def busiest_coordinator(*, quietest: bool = False):
    """The intake coordinator with the most open leads (or, `quietest`, the fewest among
    those in a team: a queue of a real coordinator's size, whatever the data set's)."""
    from django.db.models import Count, Q

    from apps.accounts.choices import Role
    from apps.accounts.models import User

    coordinators = User.objects.filter(groups__name=Role.INTAKE_COORDINATOR, is_active=True)
    if quietest:
        coordinators = coordinators.filter(team_memberships__isnull=False).distinct()
    coordinator = (
        coordinators.annotate(
            open_leads=Count("owned_leads", filter=Q(owned_leads__closed_at__isnull=True))
        )
        .order_by("open_leads" if quietest else "-open_leads", "id")
        .first()
    )
    if coordinator is None:
        sys.exit("No intake coordinator in this database: run `manage.py seed_demo` first.")
    return coordinator


def measure(label: str, make_request, count: int) -> dict:
    """Time `count` requests (after one warm-up) and count the SQL queries of one."""
    from django.db import connection

    make_request(0)  # fills per-process caches (stages, URL resolver), as in a warm worker
    queries: list[str] = []

    def count_query(execute, sql, *rest):
        # A wrapper, not CaptureQueriesContext: Django empties connection.queries at the
        # start of each request.
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count_query):
        response = make_request(1)
    if response.status_code != 200:
        sys.exit(f"{label}: HTTP {response.status_code}")
    # Queue rows listed (leads and tasks): a page's cost follows how much it shows.
    rows = response.content.decode().count('<tr id="queue-')
    # The in-process client shares this connection, so its PostgreSQL backend is ours.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    app_before, db_before = cpu_seconds(os.getpid()), cpu_seconds(backend_pid)
    durations = []
    for n in range(count):
        started = time.perf_counter()
        response = make_request(n)
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{label}: HTTP {response.status_code}")
    cpu_app = cpu_seconds(os.getpid()) - app_before
    cpu_db = cpu_seconds(backend_pid) - db_before
    return {
        "label": label,
        "p50": statistics.median(durations),
        "p95": percentile(durations, 0.95),
        "max": max(durations),
        "queries": len(queries),
        "rows": rows,
        "cpu_app": cpu_app * 1000 / count,
        "cpu_db": cpu_db * 1000 / count,
    }


def explain_queue(user) -> None:
    """EXPLAIN ANALYZE of the queue's merged query, the one that reads the big table."""
    from django.db import connection

    from apps.queue.selectors import QueueFilters, queue_page

    captured = []

    def grab(execute, sql, params, many, context):
        if "UNION ALL" in sql and not captured:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(grab):
        queue_page(user=user, filters=QueueFilters())
    sql, params = captured[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--explain", action="store_true", help="print the queue's query plan")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--surname", default="", help="search this surname (default: the most common one)"
    )
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label contains this text"
    )
    args = parser.parse_args()

    env = bench_django_setup()
    from django.conf import settings

    # collectstatic has not run for a benchmark: serve {% static %} names as they are.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    bench_seed_if_needed(MILLION, env)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from apps.queue.selectors import QueueFilters, queue_page

    coordinator = busiest_coordinator()
    client = Client()
    client.force_login(coordinator)
    quiet = busiest_coordinator(quietest=True)
    quiet_client = Client()
    quiet_client.force_login(quiet)
    page = queue_page(user=coordinator, filters=QueueFilters(), page_size=200)
    if not page.rows:
        sys.exit("The coordinator's queue is empty.")
    lead_ids = [row.lead.pk for row in page.rows]
    surname = args.surname or most_common_surname()
    queue_url = reverse("queue:index")

    print(f"Load average before: {load_average()}")
    print(
        f"Database: about {estimated_rows(connection, 'leads_lead'):,} leads and "
        f"{estimated_rows(connection, 'leads_activity'):,} activities"
    )
    print(
        f"Coordinator #{coordinator.pk}: {coordinator.open_leads:,} open leads owned; "
        f"{args.requests} timed requests per page; the quietest coordinator in a team, "
        f"#{quiet.pk}, owns {quiet.open_leads:,}\n"
    )

    pages = [
        ("queue page (GET /queue/)", lambda n: client.get(queue_url)),
        (
            "queue list (htmx poll)",
            lambda n: client.post(queue_url, {}, HTTP_HX_REQUEST="true"),
        ),
        (
            "queue filtered (urgent, phone)",
            lambda n: client.get(queue_url, {"urgency": "urgent", "channel": "phone"}),
        ),
        (
            f"queue search (surname {surname})",
            lambda n: client.post(queue_url, {"q": surname}, HTTP_HX_REQUEST="true"),
        ),
        (
            f"queue search, quietest coordinator (surname {surname})",
            lambda n: quiet_client.post(queue_url, {"q": surname}, HTTP_HX_REQUEST="true"),
        ),
        (
            "lead page (GET /leads/<id>/)",
            lambda n: client.get(reverse("queue:lead", args=[lead_ids[n % len(lead_ids)]])),
        ),
    ]
    results = [
        measure(label, make_request, args.requests)
        for label, make_request in pages
        if args.only in label
    ]

    width = max(len(result["label"]) for result in results)
    print(
        f"{'page':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  {'queries':>7}"
        f"  {'rows':>4}  {'CPU ms/request (app + db)':>26}"
    )
    missed = False
    for result in results:
        flag = ""
        if result["label"].startswith(TARGETED) and result["p95"] >= TARGET_P95_MS:
            flag, missed = "  p95 over the 150 ms target", True
        cpu = f"{result['cpu_app']:.1f} + {result['cpu_db']:.1f}"
        print(
            f"{result['label']:<{width}}  {result['p50']:7.1f}  {result['p95']:7.1f}"
            f"  {result['max']:7.1f}  {result['queries']:7d}  {result['rows'] or '':>4}"
            f"  {cpu:>26}{flag}"
        )
    print(f"\nLoad average after: {load_average()} (2 cores)")
    if args.explain:
        print("\nThe queue's merged query:")
        explain_queue(coordinator)
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
