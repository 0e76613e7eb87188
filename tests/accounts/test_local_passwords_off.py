"""LOCAL_PASSWORDS_ENABLED=false: single sign-on only, no password accepted anywhere."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _settings_of(env: dict) -> subprocess.CompletedProcess:
    """Imports leadcrm.settings in a fresh process with this environment."""
    code = (
        "import leadcrm.settings as s; "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']); "
        "print(s.AUTHENTICATION_BACKENDS, s.SOCIALACCOUNT_ONLY)"
    )
    return subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_passwords_switched_off_leave_only_the_single_sign_on_backend():
    answer = _settings_of(
        {
            "LOCAL_PASSWORDS_ENABLED": "false",
            "SSO_SERVER_URL": "https://login.example.org/tenant/v2.0",
            "SSO_CLIENT_ID": "leadcrm",
            "SSO_CLIENT_SECRET": "s3cret",
        }
    )

    assert answer.returncode == 0, answer.stderr
    assert "django.contrib.auth.backends.ModelBackend" not in answer.stdout
    assert "apps.accounts.adapters.SingleSignOnOnlyBackend" in answer.stdout
    assert answer.stdout.strip().endswith("True")
    # "Sign in with ..." is redirected there: the page's CSP lets that form through.
    assert "'https://login.example.org'" in answer.stdout.splitlines()[0]


def test_passwords_cannot_be_switched_off_without_single_sign_on():
    answer = _settings_of({"LOCAL_PASSWORDS_ENABLED": "false", "SSO_SERVER_URL": ""})

    assert answer.returncode != 0
    assert "LOCAL_PASSWORDS_ENABLED=false needs SSO_SERVER_URL." in answer.stderr


def test_with_passwords_off_the_right_password_signs_nobody_in(client, settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "apps.accounts.adapters.SingleSignOnOnlyBackend",
    ]
    UserFactory(username="pat.kim")

    client.post("/accounts/login/", {"login": "pat.kim", "password": "correct-horse-battery"})
    admin_login = client.post(
        "/admin/login/", {"username": "pat.kim", "password": "correct-horse-battery"}
    )

    assert SESSION_KEY not in client.session
    assert admin_login.status_code == 200  # the form again, with its error
    assert 'name="password"' not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/password/reset/").status_code == 404
