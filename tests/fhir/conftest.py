import pytest
from django.urls import reverse

from apps.fhir.services import fhir_client_create, service_line_code_save
from tests.factories import LocationFactory, ServiceLineFactory
from tests.fhir.bundles import KNEE_REPLACEMENT, SNOMED


@pytest.fixture
def orthopedics(db):
    line = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    service_line_code_save(system=SNOMED, code=KNEE_REPLACEMENT, service_line=line)
    LocationFactory(slug="riverside")
    return line


@pytest.fixture
def fhir_client(db):
    return fhir_client_create(name="Lakeshore Family Practice EHR")


@pytest.fixture
def fhir(api_client, fhir_client, orthopedics):
    """An API client holding a bearer token got by client credentials."""
    client, secret = fhir_client
    answer = api_client.post(
        reverse("fhir:token"),
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
        },
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")
    return api_client


def post_json(api_client, url, body, **headers):
    import json

    return api_client.post(
        url, data=json.dumps(body), content_type="application/fhir+json", **headers
    )
