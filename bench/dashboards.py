"""Server time of each manager dashboard panel over a 12-month range (issue 7).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/leadcrm_bench_dash \\
        .venv/bin/python bench/dashboards.py [--runs 30] [--months 12] [--filtered]
        [--explain] [--strict]

Uses the bench database (seeded with `seed_demo --leads 1000000` if it holds fewer
leads). Brings the dashboards' rollups up to date first, the way the beat tasks do (a
full rebuild when they were never built, else the minute refresh), and prints how long
that took. Then, for every panel, times `--runs` requests of the panel's fragment through
Django's full stack in-process (django.test.Client as the demo manager: middleware,
session, view, selector, template), one after another, and the selector alone; then the
overview page (issue 16: the headline figures of the period and the period before); prints
p50/p95/max and the SQL query count of one request. DEBUG is off. Target: p95 under
300 ms per panel. `--plain-percentiles` times plain percentile_cont beside them (issue 12).
`--filtered` adds runs with one service line and one channel, one location and one
lead type (the finest rollup level), and the busiest referral source.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import MILLION, bench_django_setup, bench_seed_if_needed, load_average

TARGET_P95_MS = 300.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.1f}  p95 {percentile(values, 0.95):7.1f}"
        f"  max {max(values):7.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--filtered", action="store_true", help="also time a filtered view")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--plain-percentiles",
        action="store_true",
        help="also time plain percentile_cont over the fact table (issue 12), same run",
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
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.dashboards import services
    from apps.dashboards.filters import DashboardFilters
    from apps.dashboards.models import ROLLUP_MODELS, FactsRefresh
    from apps.dashboards.selectors import dashboard_overview
    from apps.dashboards.views import PANELS
    from apps.referrals.models import ReferralSourceHealth

    print(f"Load average before: {load_average()}")
    rows = _estimated_rows(connection, "leads_lead")
    print(f"Leads in the database: about {rows:,}")

    state = FactsRefresh.objects.filter(pk=1).first()
    started = time.perf_counter()
    if state is None or state.rebuilt_at is None:
        written = services.lead_facts_rebuild()
        print(
            f"Rollups built from scratch (nightly rebuild path): {written:,} lead rows in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:  # what autovacuum would do shortly after
            for model in ROLLUP_MODELS:
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    else:
        written = services.lead_facts_refresh()
        print(
            f"Rollups refreshed (minute path): {written:,} lead rows changed in "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
    started = time.perf_counter()
    again = services.lead_facts_refresh()
    print(
        f"A refresh with nothing new: {again} rows in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    if not ReferralSourceHealth.objects.exists():
        # The declining list reads the nightly referrer health job (apps.referrals).
        from apps.referrals.services import referrer_health_classify

        started = time.perf_counter()
        try:
            referrer_health_classify()
        except Exception as error:  # another app's job; the panels time the same without it
            print(f"Referrer health not classified ({type(error).__name__}); none declining.")
        else:
            seconds = time.perf_counter() - started
            print(f"Referrer health classified (for declining sources) in {seconds:.1f} s")

    manager = User.objects.filter(groups__name=Role.MANAGER, is_active=True).order_by("id").first()
    if manager is None:
        sys.exit("No manager in this database: run `manage.py seed_demo` first.")
    client = Client()
    client.force_login(manager)

    end = timezone.localdate()
    start = _months_back(end, args.months)
    scenarios = [("all leads", {}, DashboardFilters(start=start, end=end))]
    if args.filtered:
        from apps.servicelines.models import ServiceLine

        line = ServiceLine.objects.order_by("name").first()
        scenarios.append(
            (
                f"{line.slug} + web_form",
                {"service_line": line.slug, "channel": "web_form"},
                DashboardFilters(
                    start=start,
                    end=end,
                    service_line_id=line.pk,
                    service_line_slug=line.slug,
                    channel="web_form",
                ),
            )
        )
        # The finest rollup level (location and lead type), and one referral source,
        # whose panels read that source's own lead rows.
        from apps.facilities.models import Location
        from apps.leads.models import Lead

        location = Location.objects.order_by("name").first()
        scenarios.append(
            (
                f"{location.slug} + caregiver",
                {"location": location.slug, "lead_type": "caregiver"},
                DashboardFilters(
                    start=start,
                    end=end,
                    location_id=location.pk,
                    location_slug=location.slug,
                    lead_type="caregiver",
                ),
            )
        )
        busiest = (
            Lead.objects.filter(referral_source__isnull=False, created_at__date__gte=start)
            .values("referral_source")
            .annotate(leads=Count("id"))
            .order_by("-leads")
            .first()
        )
        if busiest is not None:
            source_id = busiest["referral_source"]
            scenarios.append(
                (
                    f"referral source #{source_id} ({busiest['leads']:,} leads)",
                    {"referral_source": source_id},
                    DashboardFilters(start=start, end=end, referral_source_id=source_id),
                )
            )

    missed = []
    for label, extra, filters in scenarios:
        query = "&".join(f"{k}={v}" for k, v in {"start": start, "end": end, **extra}.items())
        print(
            f"\n{start} to {end} ({args.months} months), {label}; {args.runs} runs each, "
            "milliseconds of server time"
        )
        print(f"{'panel':<11} {'queries':>7}   {'view (fragment, full stack)':<42}  selector alone")
        for panel, (select, _present) in PANELS.items():
            url = f"{reverse('dashboards:panel', args=[panel])}?{query}"
            response = client.get(url, HTTP_HX_REQUEST="true")  # warm caches, connection
            if response.status_code != 200 or b"dash-panel" not in response.content:
                sys.exit(f"{panel}: HTTP {response.status_code}, not the panel")
            queries = _captured(client, url, HTTP_HX_REQUEST="true")
            views, selects = [], []
            for _ in range(args.runs):
                began = time.perf_counter()
                client.get(url, HTTP_HX_REQUEST="true")
                views.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                select(filters=filters)
                selects.append((time.perf_counter() - began) * 1000)
            p95 = percentile(views, 0.95)
            flag = "" if p95 < TARGET_P95_MS else "  <- over target"
            if p95 >= TARGET_P95_MS:
                missed.append(f"{panel} ({label})")
            print(f"{panel:<11} {len(queries):>7}   {summary(views):<42}  {summary(selects)}{flag}")
            if args.explain:
                _explain(connection, queries)
        if args.plain_percentiles:
            missed += _plain_percentiles(connection, filters, runs=args.runs, label=label)

        # The overview (issue 16): this period's headline figures and the period before's,
        # as a whole page (it is what a manager opens first), and its selector alone.
        overview_url = f"{reverse('dashboards:index')}?{query}"
        if b"dash-headline" not in client.get(overview_url).content:
            sys.exit("overview: not the overview page")
        queries = _captured(client, overview_url)
        views, selects = [], []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(overview_url)
            views.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            dashboard_overview(filters=filters)
            selects.append((time.perf_counter() - began) * 1000)
        p95 = percentile(views, 0.95)
        flag = "" if p95 < TARGET_P95_MS else "  <- over target"
        if p95 >= TARGET_P95_MS:
            missed.append(f"overview ({label})")
        print(
            f"{'overview':<11} {len(queries):>7}   {summary(views):<42}  {summary(selects)}{flag}"
        )
        if args.explain:
            _explain(connection, queries)

        leads_url = f"{reverse('dashboards:leads')}?{query}&panel=funnel&reached=qualified"
        client.get(leads_url)
        queries = _captured(client, leads_url)
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(leads_url)
            times.append((time.perf_counter() - began) * 1000)
        print(
            f"{'lead list':<11} {len(queries):>7}   {summary(times):<42}  (a drill-down's page 1)"
        )

    print(f"\nLoad average after: {load_average()}")
    print(f"Target: p95 under {TARGET_P95_MS:.0f} ms per panel.", end=" ")
    print("Missed by: " + ", ".join(missed) if missed else "All panels met it.")
    return 1 if args.strict and missed else 0


# Issue 12: the panels' medians and 90th percentiles as plain percentile_cont over the
# fact rows of the period (no bins, no ranks), each in one statement, to compare with the
# panels' bin-and-rank selectors above in the same run. The covering index lets the
# period be read from the index alone; the bench creates it if missing and says so.
PLAIN_INDEX = (
    "CREATE INDEX IF NOT EXISTS bench_fact_period_cover_idx ON dashboards_leadfact"
    " (created_at) INCLUDE (team_id, owner_id, response_seconds, referral_source_id,"
    " days_to_appointment, stage_id, closed_at, stage_entered_at, service_line_id,"
    " location_id, channel, lead_type)"
)
PLAIN_PERCENTILES = {
    "response": """
        SELECT GROUPING(f.team_id) AS all_teams, GROUPING(f.owner_id) AS all_owners,
            f.team_id, f.owner_id, count(*),
            percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY f.response_seconds)
        FROM dashboards_leadfact f
        WHERE {where}
        GROUP BY GROUPING SETS ((), (f.team_id), (f.owner_id))
    """,
    "referrals": """
        SELECT GROUPING(f.referral_source_id) AS is_total, f.referral_source_id,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_appointment)
        FROM dashboards_leadfact f
        WHERE {where} AND f.referral_source_id IS NOT NULL
            AND f.days_to_appointment IS NOT NULL
        GROUP BY GROUPING SETS ((), (f.referral_source_id))
    """,
    "drop-off": """
        SELECT f.stage_id, count(*),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY f.stage_entered_at - %(now)s)
        FROM dashboards_leadfact f
        WHERE {where} AND f.closed_at IS NULL
        GROUP BY f.stage_id
    """,
}


def _plain_percentiles(connection, filters, *, runs: int, label: str) -> list[str]:
    from django.utils import timezone

    from apps.dashboards.query import cohort_where, fetch_all

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'bench_fact_period_cover_idx'")
        if cursor.fetchone() is None:
            began = time.perf_counter()
            cursor.execute(PLAIN_INDEX)
            cursor.execute("VACUUM ANALYZE dashboards_leadfact")
            print(f"  (covering index built in {time.perf_counter() - began:.1f} s)")
    where, params = cohort_where(filters, now=timezone.now())
    missed = []
    print("  plain percentile_cont over the fact rows, the percentile statement alone:")
    for panel, sql in PLAIN_PERCENTILES.items():
        statement = sql.format(where=where)
        fetch_all(statement, params)  # warm
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            fetch_all(statement, params)
            times.append((time.perf_counter() - began) * 1000)
        over = percentile(times, 0.95) >= TARGET_P95_MS
        if over:
            missed.append(f"plain {panel} ({label})")
        print(f"  {panel:<11} {1:>5}   {summary(times)}{'  <- over target' if over else ''}")
    return missed


def _captured(client, url: str, **headers) -> list[dict]:
    """The SQL of one request. Each request empties the query log when it starts
    (request_started), so the log is read inside the request's own span."""
    from django.core.signals import request_finished
    from django.db import connection

    captured: list[dict] = []

    def keep(**_kwargs):
        captured.extend(connection.queries_log)

    connection.force_debug_cursor = True
    request_finished.connect(keep)
    try:
        client.get(url, **headers)
    finally:
        request_finished.disconnect(keep)
        connection.force_debug_cursor = False
    return captured


def _months_back(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, 28)) + dt.timedelta(days=1)


def _estimated_rows(connection, table: str) -> int:
    # pg_class's estimate: a COUNT(*) over a million rows is what the pages avoid too.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _explain(connection, captured: list[dict]) -> None:
    for query in captured:
        sql = query["sql"]
        if "dashboards_" not in sql:
            continue
        statement = sql.split("MB'; ", 1)[-1]  # after the SET LOCAL prefix
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; "
                "EXPLAIN (ANALYZE, BUFFERS) " + statement
            )
            print("\n".join("      " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    # whitenoise warns that collectstatic has not run; nothing static is served here.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.exit(main())
