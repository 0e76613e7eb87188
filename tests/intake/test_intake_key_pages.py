"""The intake keys page: a key made there is shown once and works; a revoked key is
refused at the next request, in the same process, without a restart."""

import re

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.intake.models import IntakeKey
from apps.intake.staff import staff_intake_key
from tests.factories import UserFactory
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(username="maria", roles=[Role.MANAGER])
    client.force_login(user)
    return user


def _make_key(client, name="Website contact form") -> str:
    response = client.post(reverse("intake_keys:list"), {"name": name})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return re.search(r'id="new-intake-key">([^<]+)<', response.content.decode()).group(1)


def test_a_key_is_shown_once_with_a_curl_example_for_this_host(client, manager):
    raw = _make_key(client)
    page = client.post(reverse("intake_keys:list"), {"name": "Chat vendor"})
    assert raw not in client.get(reverse("intake_keys:list")).content.decode()
    assert "curl -X POST http://testserver/api/v1/intake/" in page.content.decode()
    key = IntakeKey.objects.get(name="Website contact form")
    assert key.created_by == manager
    assert raw.startswith(key.prefix)


def test_a_revoked_key_is_refused_at_the_next_request(
    client, api_client, manager, orthopedics, riverside
):
    raw = _make_key(client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.post(reverse("intake"), intake_payload(), format="json").status_code == 201
    key = IntakeKey.objects.get()

    confirm = client.get(reverse("intake_keys:revoke", args=[key.pk]))
    assert "Revoke key" in confirm.content.decode()
    client.post(reverse("intake_keys:revoke", args=[key.pk]))

    key.refresh_from_db()
    assert not key.is_active and key.revoked_by == manager and key.revoked_at
    assert api_client.post(reverse("intake"), intake_payload(), format="json").status_code == 401


def test_a_taken_name_is_a_field_error(client, manager):
    _make_key(client)
    response = client.post(reverse("intake_keys:list"), {"name": "Website contact form"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_the_staff_channels_key_is_neither_listed_nor_revocable(client, manager):
    key = staff_intake_key()
    assert key.name not in client.get(reverse("intake_keys:list")).content.decode()
    assert client.post(reverse("intake_keys:revoke", args=[key.pk])).status_code == 404


def test_the_list_is_one_query_for_many_keys(client, manager, django_assert_max_num_queries):
    for number in range(5):
        _make_key(client, name=f"Form {number}")
    # session, user, roles, the form token, the keys with who made and revoked them
    with django_assert_max_num_queries(6):
        client.get(reverse("intake_keys:list"))
