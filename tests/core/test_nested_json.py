"""Malformed input never answers 500: JSON nested 1,000+ levels deep gets a 400 on the
intake and on the staff API, and nothing is saved."""

import json

import pytest

from apps.accounts.choices import Role
from apps.core.parsers import JSON_MAX_DEPTH, json_depth_exceeds
from apps.leads.models import Lead
from apps.people.models import Person
from tests.factories import LeadFactory, UserFactory
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


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [JSON_MAX_DEPTH + 1, 900, 1_000, 30_000])
def test_intake_answers_400_to_deeply_nested_json(post_intake, levels):  # noqa: F811
    body = intake_payload()
    text = json.dumps(body)[:-1] + f', "message": {nested(levels)}}}'

    response = post_intake(text)

    assert response.status_code == 400
    assert "nests more than" in response.json()["detail"]
    assert not Person.objects.exists()


def test_intake_still_takes_an_ordinary_inquiry(post_intake):  # noqa: F811
    assert post_intake(intake_payload()).status_code == 201


def test_staff_api_answers_400_to_deeply_nested_json(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    lead = LeadFactory()

    response = api_client.patch(
        f"/api/v1/leads/{lead.pk}/", data=nested(1_000), content_type="application/json"
    )

    assert response.status_code == 400
    assert "nests more than" in response.json()["detail"]
    assert Lead.objects.get(pk=lead.pk).updated_at == lead.updated_at


@pytest.mark.parametrize(
    ("value", "exceeds"),
    [({"a": [1, {"b": "c"}]}, False), ([[[]]], False), ([[[[]]]], True), ("text", False)],
)
def test_json_depth_counts_objects_and_arrays(value, exceeds):
    assert json_depth_exceeds(value, 3) is exceeds
