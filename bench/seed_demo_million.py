"""How long `seed_demo --leads 1000000` takes: the data set every other benchmark uses.

    .venv/bin/python bench/seed_demo_million.py [--leads 1000000]

Reseeds the bench database (`leadcrm_bench`, or BENCH_DATABASE_URL) from scratch with
`seed_demo --reset`, then prints the wall-clock time, the CPU used by the seeding process
and by its PostgreSQL backend (and parallel index workers), and the rows per table.
Target (issue 2): under 5 minutes on 2 cores. `run_all.py` runs it first, so the
benchmarks after it find a fresh million leads.
"""

import argparse
import resource
import sys
import threading

from _setup import MILLION, bench_django_setup, bench_seed, cpu_seconds, load_average

TARGET_SECONDS = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=MILLION)
    parser.add_argument("--strict", action="store_true", help="Exit 1 when over the target.")
    args = parser.parse_args()

    env = bench_django_setup()
    print(f"Load average before: {load_average()}")
    watcher = _BackendCpu()
    watcher.start()
    seconds = bench_seed(args.leads, env)
    watcher.stop()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"Load average after: {load_average()}")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN "
            "('people_person', 'leads_lead', 'leads_activity', 'people_consent') ORDER BY 1"
        )
        rows = ", ".join(f"{count:,} {table}" for table, count in cursor.fetchall())
    passed = seconds < TARGET_SECONDS
    python_cpu = used.ru_utime + used.ru_stime
    print(
        f"seed_demo --leads {args.leads:,}: {seconds:.0f} s wall clock; CPU: seeding process "
        f"{python_cpu:.0f} s, PostgreSQL at least {watcher.total:.0f} s ({rows})"
    )
    print(f"  {'PASS' if passed else 'MISS'}  under {TARGET_SECONDS} s")
    return 1 if args.strict and not passed else 0


class _BackendCpu(threading.Thread):
    """Samples the CPU of every PostgreSQL process on the bench database twice a second
    (backends and parallel workers come and go); the last reading of each is kept."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self._done = threading.Event()
        self._seen: dict[int, float] = {}

    @property
    def total(self) -> float:
        return sum(self._seen.values())

    def run(self) -> None:
        from django.db import connection

        try:
            while not self._done.wait(0.5):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    for (pid,) in cursor.fetchall():
                        seconds = cpu_seconds(pid)
                        if seconds is not None:
                            self._seen[pid] = seconds
        finally:
            connection.close()

    def stop(self) -> None:
        self._done.set()
        self.join()


if __name__ == "__main__":
    sys.exit(main())
