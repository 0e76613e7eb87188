"""Throttles: per intake key (burst and sustained), per staff user, and per address on
the endpoints that take no login; past the rate a 429 with Retry-After."""

import pytest
from django.core.cache import cache

from apps.accounts.choices import Role
from apps.intake.services import intake_key_create
from tests.factories import UserFactory
from tests.intake.conftest import (  # noqa: F401 - the intake fixtures, reused here
    intake_key,
    intake_key_pair,
    intake_url,
    orthopedics,
    post_intake,
    raw_key,
    riverside,
)
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _throttle_counts_cleared():
    cache.clear()  # counts are kept in Redis: start from none
    yield
    cache.clear()


def assert_throttled(response, *, at_most: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= at_most


def test_an_intake_key_past_its_burst_rate_gets_429_with_retry_after(
    post_intake,  # noqa: F811
    settings,
):
    settings.INTAKE_THROTTLE_BURST = "3/min"

    answers = [post_intake(intake_payload()).status_code for _ in range(3)]
    throttled = post_intake(intake_payload())
    _, other_key = intake_key_create(name="chat vendor")

    assert answers == [201, 200, 200]  # the same person again: repeats of one lead
    assert_throttled(throttled, at_most=60)
    assert post_intake(intake_payload(), key=other_key).status_code == 200  # per key


def test_an_intake_key_past_its_sustained_rate_waits_for_the_hour(post_intake, settings):  # noqa: F811
    settings.INTAKE_THROTTLE_BURST = ""
    settings.INTAKE_THROTTLE_SUSTAINED = "2/hour"

    assert [post_intake(intake_payload()).status_code for _ in range(2)] == [201, 200]
    throttled = post_intake(intake_payload())

    assert_throttled(throttled, at_most=3600)
    assert int(throttled["Retry-After"]) > 60


def test_a_staff_token_past_its_rate_gets_429(api_client, settings):
    settings.STAFF_API_THROTTLE = "2/min"
    manager, colleague = UserFactory(roles=[Role.MANAGER]), UserFactory(roles=[Role.MANAGER])
    api_client.force_authenticate(manager)

    assert [api_client.get("/api/v1/leads/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(api_client.get("/api/v1/leads/"), at_most=60)
    api_client.force_authenticate(colleague)
    assert api_client.get("/api/v1/leads/").status_code == 200  # per user


def test_unsubscribe_links_are_throttled_per_address(client, settings):
    settings.UNSUBSCRIBE_THROTTLE = "2/min"

    guesses = [client.get(f"/nurture/unsubscribe/guess-{n}/").status_code for n in range(2)]
    throttled = client.get("/nurture/unsubscribe/guess-3/")
    elsewhere = client.get("/nurture/unsubscribe/guess-4/", REMOTE_ADDR="203.0.113.9")

    assert guesses == [400, 400]
    assert_throttled(throttled, at_most=60)
    assert elsewhere.status_code == 400


def test_inbound_sms_is_throttled_per_address(client, settings):
    settings.SMS_INBOUND_THROTTLE = "2/min"

    forged = [client.post("/nurture/sms/inbound/", {"From": "+13125550100"}) for _ in range(2)]
    throttled = client.post("/nurture/sms/inbound/", {"From": "+13125550100"})

    assert [answer.status_code for answer in forged] == [403, 403]
    assert_throttled(throttled, at_most=60)


def test_an_address_guessing_intake_keys_waits_and_right_keys_do_not_count(
    post_intake,  # noqa: F811
    settings,
):
    settings.CREDENTIAL_FAILURE_THROTTLE = "3/hour"

    first_guesses = [post_intake(intake_payload(), key="wrong").status_code for _ in range(2)]
    right_key = post_intake(intake_payload())
    third_guess = post_intake(intake_payload(), key="wrong")
    fourth_guess = post_intake(intake_payload(), key="wrong")

    assert first_guesses == [401, 401]
    assert right_key.status_code == 201
    assert third_guess.status_code == 401  # the right key's request was not counted
    assert_throttled(fourth_guess, at_most=3600)


def test_an_address_guessing_staff_tokens_waits(api_client, settings):
    settings.CREDENTIAL_FAILURE_THROTTLE = "2/hour"
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    guesses = [api_client.get("/api/v1/stages/").status_code for _ in range(2)]
    third = api_client.get("/api/v1/stages/")

    assert guesses == [401, 401]
    assert_throttled(third, at_most=3600)
