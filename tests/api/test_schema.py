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
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    PersonFactory,
    ServiceLineFactory,
    TeamFactory,
    UserFactory,
)

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


def _described(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield where, value
            else:
                yield from _described(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _described(value, where)


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
        for where, text in _described(schema.json())
        if DEVELOPER_NOTE.search(text)
    ]
    assert notes == []


def _schema() -> dict:
    answer = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return answer.json()


def test_an_empty_email_is_valid_by_the_schema():
    email = _schema()["components"]["schemas"]["PersonList"]["properties"]["email"]

    assert {"maxLength": 0} in email["anyOf"] and {"format": "email"} in email["anyOf"]


def test_business_hours_are_documented_as_the_local_times_sent():
    hours = _schema()["components"]["schemas"]["BusinessHours"]["properties"]

    assert "format" not in hours["opens_at"]
    assert re.fullmatch(hours["opens_at"]["pattern"], "07:30:00")


def test_intake_lists_the_service_lines_taking_inquiries_as_soon_as_they_are_added():
    ServiceLineFactory(slug="orthopedics")
    ServiceLineFactory(slug="retired-line", is_active=False)
    before = _intake_service_lines()

    ServiceLineFactory(slug="sleep-medicine")  # no restart, no cache to clear

    assert before == ["orthopedics"]
    assert _intake_service_lines() == ["orthopedics", "sleep-medicine"]


def _intake_service_lines() -> list[str]:
    components = _schema()["components"]["schemas"]
    reference = components["IntakeRequest"]["properties"]["service_line"]["allOf"][0]["$ref"]
    return components[reference.rsplit("/", 1)[1]]["enum"]


def test_list_operations_document_their_error_answers():
    leads_list = _schema()["paths"]["/api/v1/leads/"]["get"]

    assert {"400", "401", "403", "404", "414"} <= set(leads_list["responses"])
    assert "Invalid cursor" in leads_list["responses"]["404"]["description"]
    page_size = next(p for p in leads_list["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["minimum"] == 1


# Words of developers' notes that have no place in what integrators read.
DEVELOPER_WORDS = [
    "TODO",
    "FIXME",
    "selector",
    "services.py",
    "N+1",
    "bench",
    "we ",
    "query count",
    "this machine",
    "apps.",
]


def _descriptions(node) -> list[str]:
    if isinstance(node, dict):
        found = [node[key] for key in ("description", "summary") if isinstance(node.get(key), str)]
        return found + [text for value in node.values() for text in _descriptions(value)]
    if isinstance(node, list):
        return [text for value in node for text in _descriptions(value)]
    return []


def test_schema_descriptions_carry_no_developer_notes():
    texts = _descriptions(_schema())

    leaks = [
        (word, text[:80])
        for text in texts
        for word in DEVELOPER_WORDS
        if word.lower() in text.lower()
    ]
    assert not leaks
