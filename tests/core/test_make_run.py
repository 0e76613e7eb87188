"""`make run` keeps running: its Procfile under honcho, each process under
leadcrm.supervise. The worker killed outright, inquiries are still taken, and the
worker comes back and routes them."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from apps.leads.models import Lead
from tests.celery_processes import BASE_DIR, _process_env, broker_purge
from tests.factories import TeamFactory
from tests.intake.conftest import (  # noqa: F401 - the intake fixtures, reused here
    intake_key,
    intake_key_pair,
    orthopedics,
    raw_key,
    riverside,
)
from tests.intake.payloads import intake_payload
from tests.routing.factories import RoutingRuleFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

STARTED = re.compile(r"supervise: started (\w+) \(pid (\d+)\)")


def wait_until(condition, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout}s:\n{log.read_text()[-4000:]}")


def started_pids(log: Path, name: str) -> list[int]:
    return [int(pid) for who, pid in STARTED.findall(log.read_text()) if who == name]


def post_inquiry(base_url: str, key: str, number: int) -> int:
    body = intake_payload()
    body["person"]["phone"] = f"(312) 555-{number:04d}"
    body["person"]["email"] = f"make-run-{number}@example.com"
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{base_url}/api/v1/intake/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status


@pytest.fixture
def routed_team():
    team = TeamFactory(name="Ortho intake", slug="ortho-intake")
    RoutingRuleFactory(target_team=team)
    return team


def test_a_killed_worker_is_restarted_and_web_keeps_taking_inquiries(
    tmp_path,
    raw_key,  # noqa: F811
    orthopedics,  # noqa: F811
    riverside,  # noqa: F811
    routed_team,
):
    broker_purge()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"
    environment = _process_env(
        {"LEADCRM_PORT": str(port), "WEB_WORKERS": "1", "WORKER_CONCURRENCY": "1",
         "DEBUG": "false"}
    )  # fmt: skip
    with log.open("w") as output:
        honcho = subprocess.Popen(  # noqa: S603 - the Procfile make run starts
            [str(Path(sys.executable).with_name("honcho")), "start", "-f", "Procfile"],
            cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_until(lambda: log.read_text().count("ready.") >= 1, timeout=90,
                   what="worker ready", log=log)  # fmt: skip
        wait_until(lambda: post_inquiry(base_url, raw_key, 0) == 201, timeout=60,
                   what="web answering", log=log)  # fmt: skip
        worker_pid = started_pids(log, "worker")[0]

        os.kill(worker_pid, signal.SIGKILL)
        answers = [post_inquiry(base_url, raw_key, number) for number in range(1, 21)]

        assert answers == [201] * 20
        assert honcho.poll() is None  # honcho did not stop web and beat
        wait_until(lambda: len(started_pids(log, "worker")) == 2, timeout=30,
                   what="worker restarted", log=log)  # fmt: skip
        wait_until(
            lambda: Lead.objects.filter(team=routed_team, routed_at__isnull=False).count() == 21,
            timeout=120, what="every inquiry routed", log=log,
        )  # fmt: skip
        assert len(started_pids(log, "web")) == 1
        assert len(started_pids(log, "beat")) == 1
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)  # as Ctrl-C does: honcho stops all three
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
        broker_purge()
    assert "restarting" not in log.read_text().split("sending SIGTERM")[-1]


def test_make_help_names_the_port_make_run_will_listen_on():
    env = {**os.environ, "LEADCRM_PORT": "8123"}
    make = shutil.which("make")
    shown = subprocess.run(  # noqa: S603 - our own Makefile
        [make, "-s", "help"], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout

    assert ":8123" in shown and ":8000" not in shown
