"""Single sign-on against a real OpenID Connect provider that the test starts: a small
django-oauth-toolkit project (tests/accounts/oidc_provider) in its own process on
127.0.0.1, with an RSA key made here. The browser signs in there and comes back signed
in to LeadCRM, with the role its groups claim maps to."""

import copy
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apps.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_ID = "test-idp"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rsa_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def identity_provider(live_server, tmp_path, settings):
    """The provider running with one staff member in the group "crm-managers"; LeadCRM
    configured to use it, with that group mapped to the manager role."""
    port = _free_port()
    client_id, client_secret = secrets.token_hex(8), secrets.token_urlsafe(24)
    staff = {
        "IDP_USERNAME": "dana.reyes",
        "IDP_PASSWORD": "idp-password-1234",
        "IDP_EMAIL": "dana.reyes@hospital.test",
        "IDP_FIRST_NAME": "Dana",
        "IDP_LAST_NAME": "Reyes",
        "IDP_GROUPS": "crm-managers,all-staff",
    }
    env = {
        **os.environ,
        **staff,
        "IDP_PORT": str(port),
        "IDP_DB": str(tmp_path / "idp.sqlite3"),
        "IDP_RSA_KEY": _rsa_private_key(),
        "IDP_CLIENT_ID": client_id,
        "IDP_CLIENT_SECRET": client_secret,
        "IDP_REDIRECT_URI": f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/",
    }
    log = (tmp_path / "idp.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.oidc_provider.serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    _wait_for(f"{issuer}/.well-known/openid-configuration", process, tmp_path / "idp.log")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Hospital SSO",
                    "client_id": client_id,
                    "secret": client_secret,
                    "settings": {"server_url": issuer},
                }
            ],
        }
    }
    settings.SSO_GROUP_ROLES = {"crm-managers": "manager", "crm-intake": "intake coordinator"}
    # As settings.py does for SSO_SERVER_URL: the redirect to the provider is allowed.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(f"http://127.0.0.1:{port}")
    settings.CONTENT_SECURITY_POLICY = policy
    yield staff
    process.terminate()
    process.wait(timeout=10)
    log.close()


def _wait_for(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"The provider stopped:\n{log_path.read_text()}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"The provider did not answer:\n{log_path.read_text()}")


def _sign_in_at_the_provider(page, staff) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Hospital SSO").click()
    page.get_by_role("heading", name="Hospital identity provider").wait_for()
    assert page.url.startswith("http://127.0.0.1:")
    page.get_by_label("Username").fill(staff["IDP_USERNAME"])
    page.get_by_label("Password").fill(staff["IDP_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_title("Your account").filter(has_text="Dana").wait_for()


def test_staff_sign_in_through_the_identity_provider_with_the_role_of_their_group(
    page, identity_provider
):
    _sign_in_at_the_provider(page, identity_provider)

    user = User.objects.get(email="dana.reyes@hospital.test")
    assert (user.username, user.get_full_name()) == ("dana.reyes", "Dana Reyes")
    assert set(user.groups.values_list("name", flat=True)) == {"manager"}
    assert page.get_by_role("link", name="Dashboards").is_visible()  # managers' page


def test_an_existing_staff_member_is_matched_by_email_and_their_roles_follow_the_groups(
    page, identity_provider
):
    existing = UserFactory(
        username="dreyes", email="dana.reyes@hospital.test", first_name="Dana", roles=["liaison"]
    )

    _sign_in_at_the_provider(page, identity_provider)

    assert User.objects.filter(email="dana.reyes@hospital.test").count() == 1
    assert set(existing.groups.values_list("name", flat=True)) == {"manager"}
