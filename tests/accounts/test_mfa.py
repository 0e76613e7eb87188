"""Two-factor authentication (django-allauth's MFA): an authenticator app set up and used
to sign in, a recovery code that works once, roles that must use it, and an admin reset."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _managers_must_use_mfa(settings):
    settings.MFA_REQUIRED_ROLES = frozenset({"manager", "admin"})


@pytest.fixture
def manager():
    return UserFactory(username="pat.kim", roles=["manager"])


def _sign_in(client: Client, username: str = "pat.kim"):
    return client.post("/accounts/login/", {"login": username, "password": PASSWORD})


def _confirm_password(client: Client, path: str) -> None:
    """allauth asks for the password again before a change of factors."""
    answer = client.get(path)
    if answer.status_code == 302 and answer["Location"].startswith("/accounts/reauthenticate/"):
        client.post(answer["Location"], {"password": PASSWORD})


def _enrol_totp(client: Client) -> str:
    """Sets up an authenticator app through the pages; returns its secret."""
    _confirm_password(client, "/accounts/2fa/totp/activate/")
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    answer = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302, answer.content.decode()
    return secret


def _recovery_codes(client: Client) -> list[str]:
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    textarea = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>(.*?)</textarea>', page, re.S)
    return textarea.group(1).split()


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_a_manager_must_set_up_a_second_factor_before_using_the_app(manager):
    client = Client()
    _sign_in(client)

    answer = client.get("/queue/", follow=True)

    assert answer.redirect_chain[-1][0] == "/account/"
    assert "Your role requires two-factor authentication" in answer.content.decode()


def test_a_coordinator_is_not_asked_for_a_second_factor(manager):
    UserFactory(username="lee.ray", roles=["intake coordinator"])
    client = Client()
    _sign_in(client, "lee.ray")

    assert client.get("/queue/").status_code == 200


def test_no_role_must_use_mfa_when_the_setting_is_empty(manager, settings):
    settings.MFA_REQUIRED_ROLES = frozenset()
    client = Client()
    _sign_in(client)

    assert client.get("/queue/").status_code == 200


def test_the_privacy_officer_can_be_required_to_use_a_second_factor(settings):
    settings.MFA_REQUIRED_ROLES = frozenset({"privacy officer"})
    UserFactory(username="po", roles=["privacy officer"])
    client = Client()
    _sign_in(client, "po")

    answer = client.get(reverse("privacy:patient_access"), follow=True)

    assert answer.redirect_chain[-1][0] == "/account/"


@pytest.mark.parametrize(
    ("given", "loads"),
    [("manager, privacy officer", True), ("", True), ("manager,nurse", False)],
)
def test_mfa_required_roles_takes_each_role_and_refuses_an_unknown_one(given, loads):
    environment = {key: value for key, value in os.environ.items() if key != "MFA_REQUIRED_ROLES"}
    environment |= {"DJANGO_SETTINGS_MODULE": "leadcrm.settings", "MFA_REQUIRED_ROLES": given}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.MFA_REQUIRED_ROLES"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode == 0) is loads, result.stderr
    if not loads:
        assert "unknown role(s) ['nurse']" in result.stderr


def test_an_authenticator_app_is_set_up_and_then_asked_for_at_sign_in(manager):
    client = Client()
    _sign_in(client)
    secret = _enrol_totp(client)
    assert client.get("/queue/").status_code == 200
    client.post("/accounts/logout/")

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        first_step = _sign_in(client)
        assert first_step["Location"] == "/accounts/2fa/authenticate/"
        assert not _signed_in(client)
        wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert "Incorrect code." in wrong.content.decode()
        assert not _signed_in(client)

        client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})

        assert _signed_in(client)
        assert client.get("/queue/").status_code == 200


def test_a_recovery_code_signs_in_once(manager):
    client = Client()
    _sign_in(client)
    _enrol_totp(client)
    code = _recovery_codes(client)[0]
    client.post("/accounts/logout/")

    _sign_in(client)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert _signed_in(client)
    client.post("/accounts/logout/")

    _sign_in(client)
    again = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert "Incorrect code." in again.content.decode()
    assert not _signed_in(client)


def test_a_manager_cannot_remove_their_only_second_factor(manager):
    client = Client()
    _sign_in(client)
    _enrol_totp(client)

    _confirm_password(client, "/accounts/2fa/totp/deactivate/")
    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists()


def test_an_admin_resets_a_users_factors_and_signs_them_out(manager, settings):
    settings.MFA_REQUIRED_ROLES = frozenset({"manager"})  # the admin here has no factor
    phone = Client()
    _sign_in(phone)
    _enrol_totp(phone)
    admin = Client()
    admin.force_login(UserFactory(username="it.admin", is_staff=True, is_superuser=True))

    done = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_mfa", "_selected_action": [manager.pk]},
        follow=True,
    )

    assert "Two-factor authentication reset for 1 user(s)" in done.content.decode()
    assert not Authenticator.objects.filter(user=manager).exists()
    assert not _signed_in(phone)
    answer = _sign_in(phone)  # the password alone, then set up a factor again
    assert answer["Location"] == "/"
    assert phone.get("/queue/")["Location"] == "/account/"
