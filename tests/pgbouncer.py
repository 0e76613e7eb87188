"""A real PgBouncer (Debian's `pgbouncer` package) in `pool_mode = transaction` in front
of the test database, for integration tests: every server connection is handed to
another client after each transaction, so session state (SET, PREPARE, session advisory
locks, server-side cursors) carried between transactions would break or leak."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from django.db import connection

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unprivileged_user() -> str | None:
    """PgBouncer refuses to run as root: the user to run it as, or None when we are not
    root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and no postgres or nobody user to run PgBouncer as")


@contextmanager
def pgbouncer(*, pool_size: int = 2) -> Iterator[str]:
    """Start PgBouncer on a free local port, pointing at the test database; yields a
    DATABASE_URL through it. `pool_size` server connections are shared by every client,
    so several processes take turns on the same PostgreSQL sessions."""
    db = connection.settings_dict
    name, user = db["NAME"], db.get("USER") or "postgres"
    password = f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="leadcrm-pgbouncer-"))
    workdir.chmod(0o755)  # readable by the unprivileged user PgBouncer runs as
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{name} = host={db.get('HOST') or '127.0.0.1'} port={db.get('PORT') or 5432} "
        f"dbname={name} user={user}{password}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        # The server trusts local connections (as the test database does); the user
        # PgBouncer logs in as is the one above.
        "auth_type = any\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\n"
        "max_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    config.chmod(0o644)
    log_path = workdir / "pgbouncer.log"
    command = [PGBOUNCER, str(config)]
    if run_as := _unprivileged_user():
        command = ["runuser", "-u", run_as, "--", *command]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"postgres://{user}@127.0.0.1:{port}/{name}"
    try:
        _wait_until_it_answers(process, port=port, user=user, name=name, log_path=log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_it_answers(process, *, port: int, user: str, name: str, log_path: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{log_path.read_text()[-3000:]}")
        try:
            probe = psycopg2.connect(host="127.0.0.1", port=port, user=user, dbname=name)
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer never answered:\n{log_path.read_text()}") from None
            time.sleep(0.2)
            continue
        with probe, probe.cursor() as cursor:
            cursor.execute("SELECT 1")
        probe.close()
        return
