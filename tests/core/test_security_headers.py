"""Security headers on every response: the Content-Security-Policy, the Permissions-
Policy, and `Cache-Control: no-store` wherever a patient may be shown."""

import pytest

from apps.accounts.choices import Role
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: set(values)
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_the_policy_allows_no_inline_code_eval_framing_or_foreign_forms(client):
    policy = directives(client.get("/accounts/login/"))

    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["form-action"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    every_value = set().union(*policy.values())
    assert not every_value & {"'unsafe-inline'", "'unsafe-eval'", "*", "https:"}


def test_pages_of_a_signed_in_user_are_not_stored(client):
    lead = LeadFactory()
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    for path in ("/queue/", f"/leads/{lead.pk}/", "/dashboards/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "camera=()" in response["Permissions-Policy"], path


def test_api_responses_are_not_stored_whatever_the_credential(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))  # token-like: no session
    LeadFactory()

    response = api_client.get("/api/v1/leads/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
