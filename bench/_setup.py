"""Shared set-up for benchmark scripts: their own database, Django, the 1M-lead data set.

from _setup import bench_django_setup, bench_seed_if_needed   # from a bench/ script
env = bench_django_setup()           # creates + migrates leadcrm_bench, sets up Django
bench_seed_if_needed(1_000_000, env)

Benchmarks of the background pipeline (routing, escalations) instead build a small,
throw-away database of their own and run real Celery processes against it:

env = scratch_environment(database="leadcrm_bench_sla", redis_url="redis://127.0.0.1:6379/12")
scratch_database_rebuild(env)        # dropped, created, migrated; Redis db flushed
scratch_django_setup(env)
worker = celery_start(["worker", ...], env=env, log=logs / "worker.log")
log_wait(worker, logs / "worker.log", "ready.", timeout=60)
...
processes_stop([worker])
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/leadcrm_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
MILLION = 1_000_000
BENCH_THROTTLES_OFF = {
    name: ""
    for name in (
        "INTAKE_THROTTLE_BURST",
        "INTAKE_THROTTLE_SUSTAINED",
        "STAFF_API_THROTTLE",
        "UNSUBSCRIBE_THROTTLE",
        "SMS_INBOUND_THROTTLE",
    )
}


def bench_environment() -> dict[str, str]:
    """Settings for benchmark processes: the bench database, never the development one."""
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    return {
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        # DEBUG keeps every SQL statement in memory and renders tracebacks: not a server.
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # Load generators are one client sending far past any real integration's rate.
        **BENCH_THROTTLES_OFF,
        # A benchmark signs its manager in with force_login: without this every manager
        # page answered the second-factor set-up page, and its figures timed that.
        "MFA_REQUIRED_ROLES": "",
    }


def bench_django_setup(*, migrate: bool = True) -> dict[str, str]:
    """Point this process at the bench database (created if missing), set Django up and
    migrate. Returns the environment to pass to servers and commands started later."""
    env = bench_environment()
    os.environ.update(env)
    _database_create_if_missing(env["DATABASE_URL"])
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return env


def bench_seed(leads: int, env: dict[str, str]) -> float:
    """Reseed the bench database with `leads` demo leads; returns the wall-clock seconds."""
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_demo",
            "--reset",
            "--leads",
            str(leads),
            "--no-progress",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    return time.monotonic() - started


def bench_seed_if_needed(leads: int, env: dict[str, str]) -> None:
    from apps.leads.models import Lead

    count = Lead.objects.count()
    if count >= leads:
        print(f"{count:,} leads in the bench database: no seeding needed.")
        return
    print(f"{count:,} leads in the bench database: seeding {leads:,} (seed_demo --reset).")
    print(f"Seeded in {bench_seed(leads, env):.0f} s")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _database_create_if_missing(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    server, name = database_url.rsplit("/", 1)
    name = name.split("?")[0]
    admin = psycopg2.connect(server + "/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


class CpuMeter:
    """CPU seconds that an app server's processes and the PostgreSQL backends of the
    bench database use between start() and stop(), read from /proc.

    On a machine shared with other work, wall-clock rates depend on the neighbours;
    CPU per request does not, and 2 cores / (CPU per request) is what the server could
    do with the machine to itself.
    """

    def __init__(self, *, server_pid: int | None = None) -> None:
        self.server_pid = server_pid
        self._before: dict[int, tuple[str, float]] = {}

    def start(self) -> None:
        self._before = self._snapshot()

    def stop(self) -> dict[str, float]:
        used = {"app": 0.0, "db": 0.0}
        for pid, (kind, seconds) in self._snapshot().items():
            previous = self._before.get(pid)
            used[kind] += seconds - (previous[1] if previous else 0.0)
        return used

    def _snapshot(self) -> dict[int, tuple[str, float]]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [row[0] for row in cursor.fetchall()]
        app = self._descendants(self.server_pid) if self.server_pid else []
        return {
            pid: (kind, seconds)
            for kind, pids in (("app", app), ("db", backends))
            for pid in pids
            if (seconds := cpu_seconds(pid)) is not None
        }

    @staticmethod
    def _descendants(root: int) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := _proc_stat(int(entry))) is not None:
                parents[int(entry)] = int(stat[1])
        found, frontier = [root], [root]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent]
            found += children
            frontier += children
        return found


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state, ppid, ...)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used, or None once it is gone."""
    stat = _proc_stat(pid)
    if stat is None:
        return None
    # utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


# --- Scratch databases and Celery processes (routing_latency, escalation_lag) ---------


def scratch_environment(*, database: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Settings for a benchmark with a database and a Redis database of its own, for
    this process and the servers and Celery processes it starts."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        # DEBUG keeps every SQL statement in memory and renders tracebacks: not a server.
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # Load generators are one client sending far past any real integration's rate.
        **BENCH_THROTTLES_OFF,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def scratch_database_rebuild(env: dict[str, str]) -> None:
    """Drop and create the environment's database, migrate it, and empty its Redis db."""
    import psycopg2
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    admin = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip


def scratch_django_setup(env: dict[str, str]) -> None:
    """Set Django up in this process against the environment's database."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def celery_start(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`celery -A leadcrm <args>` in the background, its output in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadcrm", *args],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


# The worker of the pipeline benchmarks, as Procfile starts it (2 processes).
CELERY_WORKER_ARGS = ["worker", "--pool=prefork", "--loglevel=INFO", "--without-gossip",
                      "--without-mingle", "--without-heartbeat"]  # fmt: skip


def log_wait(process: subprocess.Popen, log: Path, marker: str, timeout: float) -> None:
    """Wait until `marker` appears in the process's log; raise if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited:\n{log.read_text()[-3000:]}")
        if marker in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"no {marker!r} in {log} after {timeout}s")


def processes_stop(processes: list[subprocess.Popen]) -> None:
    """Terminate the processes (then kill what is left after 20 s)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def percentile(values: list[float], fraction: float) -> float:
    """The value at `fraction` (0..1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def most_common_surname() -> str:
    """The surname most people in the data set share: the heaviest name search at every
    size, so 1M and 10M leads compare like with like (the first queue row's surname,
    used before, was shared by 679 people in one data set and 2,365 in another)."""
    from django.db.models import Count

    from apps.people.models import Person

    return (
        Person.objects.values_list("last_name", flat=True)
        .annotate(people=Count("id"))
        .order_by("-people", "last_name")
        .first()
    )
