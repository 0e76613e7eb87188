"""FHIR referral intake beside the JSON intake, in the same sitting: POST /fhir/r4/
(a transaction Bundle: ServiceRequest, Patient, Practitioner) and POST /api/v1/intake/,
each at concurrency 16 for 20 s, every request a new synthetic person.

    .venv/bin/python bench/fhir_intake.py [--duration 20] [--concurrency 16] [--workers 2]

Builds its own database (leadcrm_bench_fhir: migrated, `seed_demo --leads 2000` for the
hospital's service lines and locations), maps SNOMED 609588000 to orthopedics, makes an
intake key and a FHIR client with a bearer token, and serves gunicorn (sync workers,
leadcrm/gunicorn_conf.py) on 127.0.0.1. Load from wrk (bench/wrk/intake.lua and
fhir.lua). Prints new leads per second, p50/p95/p99 and statuses for both, and the FHIR
figures as a share of the JSON ones. No Celery worker runs: routing tasks wait in the
benchmark's own Redis database, which is emptied at the start.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import ROOT, load_average, scratch_database_rebuild, scratch_django_setup
from _setup import scratch_environment as _scratch_environment
from intake_and_list import _gunicorn, _wrk

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_fhir")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ENV = _scratch_environment(database=DATABASE_NAME, redis_url=REDIS_URL)
WRK_DIR = Path(__file__).resolve().parent / "wrk"


def _fhir_wrk(wrk: str, base_url: str, token: str, base: int, duration: int, concurrency: int):
    env_token = {"BENCH_FHIR_TOKEN": token, "BENCH_BASE": str(base)}
    completed = subprocess.run(
        [wrk, "-t2", f"-c{concurrency}", f"-d{duration}s", "--timeout", "10s",
         "-s", str(WRK_DIR / "fhir.lua"), base_url + "/fhir/r4/"],
        env={**os.environ, **env_token}, capture_output=True, text=True,
        timeout=duration + 60, check=False,
    )  # fmt: skip
    line = next(row for row in completed.stdout.splitlines() if row.startswith("BENCH_JSON "))
    import json

    result = json.loads(line.removeprefix("BENCH_JSON "))
    return result


def _summary(title: str, result: dict) -> float:
    created = result["statuses"].get("201", 0)
    rate = created / (result["duration_us"] / 1e6)
    print(
        f"{title}: {rate:6.1f} leads/s  p50 {result['p50_us'] / 1000:6.1f} ms  "
        f"p95 {result['p95_us'] / 1000:6.1f} ms  p99 {result['p99_us'] / 1000:6.1f} ms  "
        f"statuses {result['statuses']}  socket errors {result['socket_errors']}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: install it with `apt-get install -y wrk`.")

    print(f"building {DATABASE_NAME} ...", flush=True)
    scratch_database_rebuild(ENV)
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--reset", "--leads", "2000"],
        cwd=ROOT, env=ENV, check=True, timeout=600, capture_output=True,
    )  # fmt: skip
    scratch_django_setup(ENV)

    from apps.fhir.services import fhir_client_create, fhir_token_issue, service_line_code_save
    from apps.intake.services import intake_key_create
    from apps.servicelines.models import ServiceLine

    service_line_code_save(
        system="http://snomed.info/sct",
        code="609588000",
        service_line=ServiceLine.objects.get(slug="orthopedics"),
    )
    _, raw_key = intake_key_create(name="bench JSON intake")
    client, _ = fhir_client_create(name="bench EHR")
    token, _ = fhir_token_issue(client=client)

    with _gunicorn(options.workers, 1, ENV) as (base_url, _pid):
        _wrk(wrk, base_url, "intake", raw_key, "", 0, 3, options.concurrency)  # warm up
        _fhir_wrk(wrk, base_url, token, 0, 3, options.concurrency)
        print(f"load average before: {load_average()}")
        json_result = _wrk(
            wrk, base_url, "intake", raw_key, "", 200_000, options.duration, options.concurrency
        )
        fhir_result = _fhir_wrk(
            wrk, base_url, token, 200_000, options.duration, options.concurrency
        )
        print(f"load average after: {load_average()}")
    json_rate = _summary("JSON intake POST /api/v1/intake/", json_result)
    fhir_rate = _summary("FHIR Bundle  POST /fhir/r4/      ", fhir_result)
    if json_rate:
        print(
            f"FHIR / JSON: rate {fhir_rate / json_rate:.0%}, "
            f"p95 {fhir_result['p95_us'] / max(json_result['p95_us'], 1):.1f}x"
        )


if __name__ == "__main__":
    main()
