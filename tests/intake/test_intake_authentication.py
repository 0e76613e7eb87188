"""Authorization: Api-Key <key> on the intake API."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from apps.intake.authentication import IntakeKeyAuthentication
from apps.intake.models import IntakeKey
from apps.leads.models import Lead
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db


def test_no_key_is_answered_401_naming_the_scheme(api_client, intake_url, orthopedics):
    response = api_client.post(intake_url, data=intake_payload(), format="json")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key not-the-key",
        "Api-Key",
        "Api-Key two parts",
        "Token abc123",  # staff API tokens do not open the intake
        "Bearer abc123",
    ],
)
def test_a_wrong_or_malformed_key_is_answered_401(api_client, intake_url, raw_key, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.post(intake_url, data=intake_payload(), format="json")

    assert response.status_code == 401
    assert Lead.objects.count() == 0


def test_a_switched_off_key_is_answered_401(post_intake, intake_key):
    intake_key.is_active = False
    intake_key.save(update_fields=["is_active"])

    response = post_intake(intake_payload())

    assert response.status_code == 401
    assert Lead.objects.count() == 0


def test_the_scheme_name_is_case_insensitive(
    api_client, intake_url, raw_key, orthopedics, riverside
):
    api_client.credentials(HTTP_AUTHORIZATION=f"api-key {raw_key}")

    response = api_client.post(intake_url, data=intake_payload(), format="json")

    assert response.status_code == 201


def test_a_key_is_found_by_its_hash_not_its_prefix(post_intake, raw_key):
    forged = raw_key[:8] + "x" * (len(raw_key) - 8)

    assert post_intake(intake_payload(), key=forged).status_code == 401


def test_last_used_at_is_written_on_first_use(post_intake, intake_key):
    assert intake_key.last_used_at is None

    post_intake(intake_payload())

    intake_key.refresh_from_db()
    assert intake_key.last_used_at is not None


def test_last_used_at_is_written_at_most_about_once_a_minute(post_intake, intake_key):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_intake(intake_payload())
    with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
        post_intake(intake_payload())
        assert IntakeKey.objects.get().last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        post_intake(intake_payload())
        assert IntakeKey.objects.get().last_used_at == start + dt.timedelta(seconds=61)


def test_a_recently_used_key_is_authenticated_with_one_query(
    intake_key, raw_key, django_assert_num_queries
):
    intake_key.last_used_at = timezone.now()
    intake_key.save(update_fields=["last_used_at"])
    request = APIRequestFactory().post("/", HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    with django_assert_num_queries(1):
        user, auth = IntakeKeyAuthentication().authenticate(request)

    assert user == auth == intake_key
