"""Real Celery worker and beat processes, and the gunicorn web process, for integration
tests.

They run as separate processes against the test database and the test Redis, so the
test must use the `transactional_db` (data committed, visible to the worker).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _process_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CONN_MAX_AGE": "0",
        **(extra or {}),
    }


def broker_purge() -> None:
    """Empty the test broker so one test's leftovers never reach the next worker."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


def _wait_for(process: subprocess.Popen, log_path: Path, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log_path.read_text()[-3000:]}")
        if marker in log_path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise TimeoutError(f"no {marker!r} within {timeout}s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def celery_worker(
    tmp_path: Path, *, concurrency: int = 1, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` and wait until it is ready to take tasks."""
    log_path = tmp_path / "celery-worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own Celery, fixed arguments
            [
                sys.executable, "-m", "celery", "-A", "leadcrm", "worker",
                f"--concurrency={concurrency}", "--pool=prefork", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                f"--hostname=test-worker-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR, env=_process_env(env), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(process, log_path, "ready.", timeout=60)
        yield process
    finally:
        _stop(process)


@contextmanager
def celery_beat(tmp_path: Path, *, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Start `celery beat` with the database scheduler (django-celery-beat)."""
    log_path = tmp_path / "celery-beat.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "celery", "-A", "leadcrm", "beat", "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
            ],
            cwd=BASE_DIR, env=_process_env(env), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(process, log_path, "beat: Starting", timeout=60)
        yield process
    finally:
        _stop(process)


@contextmanager
def gunicorn_server(
    tmp_path: Path,
    *,
    workers: int = 1,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start the web process as `make run` does (gunicorn with leadcrm/gunicorn_conf.py,
    plus `args`, and `env` over the test environment) on a free local port; yields its
    base URL once it answers /healthz/. Its output is in tmp_path / "gunicorn.log"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own web process, fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c", "python:leadcrm.gunicorn_conf", "leadcrm.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *args,
            ],
            cwd=BASE_DIR, env=_process_env({"DEBUG": "false", **(env or {})}),
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(process, log_path, "Booting worker", timeout=60)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz/", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text()[-3000:]) from None
                time.sleep(0.2)
        yield base_url
    finally:
        _stop(process)


@contextmanager
def celery_broker_at(url: str) -> Iterator[None]:
    """Tasks queued in this block are published to `url` (a port nobody listens on: the
    broker is down). A fresh Celery app, configured as leadcrm's but for its broker, is
    made the thread's current app, which is where shared tasks publish through; the
    process's own app and its connection pool stay as they were. Celery's public API only.
    """
    from celery import Celery

    from leadcrm.celery import app

    with Celery("leadcrm", set_as_current=False) as broker_down:
        broker_down.config_from_object("django.conf:settings", namespace="CELERY")
        broker_down.conf.broker_url = url
        broker_down.set_current()
        try:
            yield
        finally:
            app.set_current()
