"""Fixtures for the intake API: a key and the reference data a form refers to."""

import json

import pytest
from django.urls import reverse

from apps.intake.services import intake_key_create
from tests.factories import LocationFactory, ServiceLineFactory


@pytest.fixture
def intake_url() -> str:
    return reverse("intake")


@pytest.fixture
def intake_key_pair(db):
    """(IntakeKey, raw key) for the hospital website's form."""
    return intake_key_create(name="website-ortho-form")


@pytest.fixture
def intake_key(intake_key_pair):
    return intake_key_pair[0]


@pytest.fixture
def raw_key(intake_key_pair) -> str:
    return intake_key_pair[1]


@pytest.fixture
def orthopedics(db):
    return ServiceLineFactory(slug="orthopedics", name="Orthopedics")


@pytest.fixture
def cardiology(db):
    return ServiceLineFactory(slug="cardiology", name="Cardiology")


@pytest.fixture
def riverside(db):
    return LocationFactory(slug="riverside", name="Riverside Hospital")


@pytest.fixture
def post_intake(api_client, intake_url, raw_key, orthopedics, riverside):
    """Post a body (a dict, or a raw string) to the intake API with the website's key."""

    def post(body, *, key: str | None = None, **extra):
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key or raw_key}")
        data = body if isinstance(body, str) else json.dumps(body)
        return api_client.post(intake_url, data=data, content_type="application/json", **extra)

    return post
