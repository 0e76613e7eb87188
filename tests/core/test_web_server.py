"""The web process's gunicorn settings: valid, and what each worker does once loaded."""

import gc
import subprocess
import sys
from pathlib import Path

from leadcrm import gunicorn_conf

BASE_DIR = Path(__file__).resolve().parents[2]


def test_gunicorn_accepts_the_settings_make_run_and_the_image_use():
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--check-config",
            "-c",
            "python:leadcrm.gunicorn_conf",
            "leadcrm.wsgi",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    for launcher in ("Procfile", "Dockerfile"):
        assert "python:leadcrm.gunicorn_conf" in (BASE_DIR / launcher).read_text()


def test_a_loaded_worker_hides_its_start_up_objects_from_the_collector():
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(worker=None)

        assert gc.get_freeze_count() > 10_000  # modules, settings, URL patterns, ...
    finally:
        gc.unfreeze()
