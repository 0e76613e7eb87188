"""Production fails closed: `manage.py check --deploy` in a process of its own with a
production environment, once safe and once per unsafe setting."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def production_environment(**overrides: str | None) -> dict[str, str]:
    """A safe production environment; an override of None removes the variable."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LEADCRM_", "SECURE_")) and key != "DEBUG"
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        "LEADCRM_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "crm.example.org",
        "EMAIL_URL": "smtp+tls://leadcrm:secret@smtp.example.org:587",
        "NURTURE_SMS_BACKEND": "apps.nurture.sms.TwilioSmsBackend",
        "NURTURE_UNSUBSCRIBE_KEY": secrets.token_urlsafe(50),
    }
    for key, value in overrides.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("unsafe", "error_id"),
    [
        ({"SECRET_KEY": None}, "leadcrm.E001"),
        ({"SECRET_KEY": "django-insecure-compose-demo-key-change-me"}, "leadcrm.E001"),
        ({"SECRET_KEY": "x" * 49}, "leadcrm.E001"),
        ({"DEBUG": "true"}, "leadcrm.E002"),
        ({"ALLOWED_HOSTS": None}, "leadcrm.E003"),
        ({"ALLOWED_HOSTS": "*"}, "leadcrm.E003"),
        ({"EMAIL_URL": "consolemail://"}, "leadcrm.E004"),
        ({"EMAIL_URL": None}, "leadcrm.E004"),
        ({"NURTURE_SMS_BACKEND": "apps.nurture.sms.ConsoleSmsBackend"}, "leadcrm.E005"),
        ({"NURTURE_SMS_BACKEND": None}, "leadcrm.E005"),
        ({"NURTURE_SMS_BACKEND": "apps.nurture.sms.FileSmsBackend"}, "leadcrm.E005"),
        ({"NURTURE_UNSUBSCRIBE_KEY": None}, "leadcrm.E006"),
        ({"NURTURE_UNSUBSCRIBE_KEY": "development-only-unsubscribe-key"}, "leadcrm.E006"),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
    ),
)
def test_production_refuses_each_unsafe_setting(unsafe, error_id):
    result = manage("check", environment=production_environment(**unsafe))
    assert result.returncode != 0
    assert f"({error_id})" in result.stderr


def test_web_process_refuses_to_load_with_an_unsafe_setting():
    # gunicorn runs no system checks: loading the WSGI application does.
    environment = production_environment(EMAIL_URL="consolemail://")
    result = subprocess.run(
        [sys.executable, "-c", "import leadcrm.wsgi"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "leadcrm.E004" in result.stderr


def test_seed_demo_refuses_to_run_in_production():
    result = manage("seed_demo", "--if-empty", "--leads", "0", environment=production_environment())
    assert result.returncode != 0
    assert "seed_demo refuses to run in production" in result.stderr


@pytest.mark.parametrize(("given", "preload"), [(None, "False"), ("true", "True")])
def test_hsts_preload_is_opt_in(given, preload):
    # Preloading binds the hospital's whole domain to HTTPS in browsers for months: off
    # unless SECURE_HSTS_PRELOAD says so, while HSTS itself is on in production.
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_SECONDS > 0)",
        environment=production_environment(SECURE_HSTS_PRELOAD=given),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [preload, "True"]
