"""The OpenAPI schema: generated without warnings, served, and true to the responses."""

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.leads.models import Lead
from apps.leads.selectors import lead_row_names, lead_rows
from apps.leads.serializers import ActivitySerializer, LeadListSerializer
from apps.people.models import Person
from apps.people.serializers import PERSON_ROW_FIELDS, PersonListSerializer
from tests.factories import ActivityFactory, LeadFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_schema_generates_with_no_warnings(tmp_path):
    # --fail-on-warn turns any warning (an unannotated view, an enum clash) into an error.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/v1/leads/{lead_id}/stage/:" in (tmp_path / "schema.yml").read_text()


def test_schema_and_docs_are_served():
    client = APIClient()

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/v1/leads/" in schema.json()["paths"]
    assert docs.status_code == 200


def test_swagger_ui_is_self_hosted_without_inline_code():
    client = APIClient()

    docs = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "https://" not in docs  # nothing from a CDN
    assert "<style" not in docs
    assert "<script>" not in docs  # every script has a src


def test_redoc_is_self_hosted_without_inline_code_and_allowed_only_what_it_needs():
    client = APIClient()

    response = client.get("/api/redoc/")
    page = response.content.decode()

    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in page
    assert "/static/js/redoc.js" in page
    assert "https://" not in page  # no CDN fonts or scripts
    assert "<style" not in page
    assert "<script>" not in page  # every script has a src (or is JSON data)
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "worker-src blob:" in policy
    assert "script-src 'self';" in policy  # still no inline or eval'd script


def test_only_the_redoc_page_relaxes_the_policy():
    policy = APIClient().get("/api/docs/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "blob:" not in policy


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_schema_and_docs_require_a_staff_login_in_production(settings, path):
    settings.PRODUCTION = True
    client = APIClient()

    assert client.get(path).status_code in (401, 403)
    client.force_authenticate(UserFactory())
    assert client.get(path).status_code == 200


def _declared(serializer) -> set[str]:
    return set(serializer.fields)


@pytest.mark.parametrize("linked", [False, True])
def test_lead_list_rows_carry_exactly_the_fields_the_schema_declares(linked):
    links = {"owner": UserFactory(), "team": TeamFactory()} if linked else {"location": None}
    lead = LeadFactory(**links)
    rows = list(lead_rows(leads=Lead.objects.filter(pk=lead.pk)))

    data = LeadListSerializer(context={"names": lead_row_names(rows=rows)}).to_representation(
        rows[0]
    )

    assert set(data) == _declared(LeadListSerializer())


def test_timeline_entries_carry_exactly_the_fields_the_schema_declares():
    data = ActivitySerializer().to_representation(ActivityFactory())

    assert set(data) == _declared(ActivitySerializer())


def test_people_rows_carry_exactly_the_fields_the_schema_declares():
    person = PersonFactory()
    row = Person.objects.filter(pk=person.pk).values(*PERSON_ROW_FIELDS).get()

    assert set(PersonListSerializer().to_representation(row)) == _declared(PersonListSerializer())


def test_the_intake_answer_documents_the_safety_object_for_form_vendors():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    components = schema.json()["components"]["schemas"]

    answer = components["IntakeResponse"]["properties"]
    assert "safety" in components["IntakeResponse"]["required"]
    assert "988" in answer["safety"]["description"] and "911" in answer["safety"]["description"]
    safety = components["IntakeSafety"]["properties"]
    assert set(safety) == {"category", "message"}
    categories = components[safety["category"]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert set(categories) == {
        "self_harm",
        "cardiac",
        "stroke",
        "breathing",
        "overdose",
        "pregnancy",
        "bleeding",
        "violence",
    }
    detail = components["LeadDetail"]["properties"]["safety"]
    assert detail["nullable"] is True


def _descriptions(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield where, value
            else:
                yield from _descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _descriptions(value, where)


# What a note to a developer looks like: a module path, a constant, the serializer's
# context, a reference to this code's layers.
DEVELOPER_NOTE = re.compile(
    r"\bselectors?\.|\bservices?\.|\bapps\.[a-z]|\b[A-Z]{3,}_[A-Z_]+\b|in the context|"
    r"\bthe view\b|\bshape\)|\bthis layer\b|\breverse relation\b"
)


def test_the_published_schema_carries_no_developer_notes():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    notes = [
        f"{where}: {text}"
        for where, text in _descriptions(schema.json())
        if DEVELOPER_NOTE.search(text)
    ]
    assert notes == []
