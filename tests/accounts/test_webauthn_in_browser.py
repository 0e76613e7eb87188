"""A security key (WebAuthn) registered and used to sign in, in a real Chromium with
Chrome's virtual authenticator (DevTools protocol) standing in for the key."""

import pytest
from allauth.mfa.models import Authenticator

from tests.browser import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def security_key(page):
    """A virtual FIDO2 authenticator that the user touches at once when asked."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.disable")


def test_a_manager_registers_a_security_key_and_signs_in_with_it(page, security_key, settings):
    settings.MFA_REQUIRED_ROLES = frozenset({"manager"})
    cdp, authenticator_id = security_key
    user = UserFactory(username="avery", first_name="Avery", roles=["manager"])
    log_in(page, username="avery", password=PASSWORD)
    assert page.url.endswith("/account/")  # required before anything else

    page.get_by_role("link", name="Add a security key or passkey").click()
    if "/reauthenticate/" in page.url:  # allauth confirms the password first
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Blue key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    page.goto("/queue/")
    assert page.url.endswith("/queue/")

    page.get_by_role("button", name="Log out").click()
    log_in(page, username="avery", password=PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/2fa/authenticate/" not in url)

    assert page.get_by_title("Your account").inner_text().startswith("Avery")
