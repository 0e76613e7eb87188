"""Quiet hours that do not parse stop every process at start, as before, now checked by
the nurture app rather than by settings.py (settings import no app code)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.nurture.apps import nurture_settings_check

BASE_DIR = Path(__file__).resolve().parents[2]


def test_bad_quiet_hours_are_refused_naming_the_setting(settings):
    settings.NURTURE_QUIET_HOURS = "after dinner"

    with pytest.raises(ImproperlyConfigured, match="NURTURE_QUIET_HOURS"):
        nurture_settings_check()


def test_manage_py_refuses_to_start_with_bad_quiet_hours():
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, "NURTURE_QUIET_HOURS": "25:00-08:00"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode != 0
    assert "NURTURE_QUIET_HOURS" in completed.stderr
