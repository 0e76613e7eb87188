"""The referral's status and what LeadCRM holds, read back in FHIR; the metadata; who
may call /fhir/r4/ and what a token opens."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.task import Task

from apps.accounts.choices import Role
from apps.fhir.models import FhirReferral
from apps.fhir.services import fhir_client_create
from apps.leads.services import lead_assign, lead_stage_change
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.fhir.bundles import FAMILY, referral_bundle
from tests.fhir.conftest import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(fhir) -> FhirReferral:
    post_json(fhir, reverse("fhir:transaction"), referral_bundle())
    return FhirReferral.objects.select_related("lead").get()


def task_of(fhir, referral) -> dict:
    answer = fhir.get(reverse("fhir:task", args=[referral.task_id]))
    assert answer.status_code == 200
    Task.model_validate(answer.json())
    return answer.json()


def test_the_task_follows_the_lead_through_each_stage(fhir, referral):
    lead = referral.lead
    assert task_of(fhir, referral)["status"] == "requested"

    owner, team = UserFactory(), TeamFactory()
    TeamMembershipFactory(team=team, user=owner)
    lead_assign(lead=lead, owner=owner, team=team, actor=None)
    assert task_of(fhir, referral)["status"] == "accepted"

    lead_stage_change(lead=lead, to_stage=stage_get_by_slug("contacted"), actor=None)
    assert task_of(fhir, referral)["status"] == "in-progress"

    appointment = timezone.now() + dt.timedelta(days=9)
    lead_stage_change(
        lead=lead, to_stage=stage_get_by_slug("scheduled"), actor=None, appointment_at=appointment
    )
    task = task_of(fhir, referral)
    assert task["status"] == "completed"
    [output] = task["output"]
    assert dt.datetime.fromisoformat(output["valueDateTime"]) == appointment


@pytest.mark.parametrize(
    ("stage", "lost_reason", "status", "reason_text"),
    [
        ("disqualified", "not_a_candidate", "rejected", "Not a clinical candidate"),
        ("referred-elsewhere", "chose_another_provider", "cancelled", "Chose another provider"),
    ],
)
def test_a_lost_referral_is_rejected_or_cancelled_with_its_reason(
    fhir, referral, stage, lost_reason, status, reason_text
):
    lead_stage_change(
        lead=referral.lead, to_stage=stage_get_by_slug(stage), actor=None, lost_reason=lost_reason
    )
    task = task_of(fhir, referral)
    assert task["status"] == status
    assert task["statusReason"]["text"] == reason_text


def test_tasks_are_found_by_their_service_request(fhir, referral):
    answer = fhir.get(
        reverse("fhir:task_search"), {"focus": f"ServiceRequest/{referral.service_request_id}"}
    )
    bundle = answer.json()
    assert (bundle["type"], bundle["total"]) == ("searchset", 1)
    assert bundle["entry"][0]["resource"]["id"] == str(referral.task_id)
    unknown = fhir.get(reverse("fhir:task_search"), {"focus": "Patient/1"})
    assert unknown.status_code == 400 and unknown.json()["resourceType"] == "OperationOutcome"


def test_the_service_request_and_patient_read_back(fhir, referral):
    request = fhir.get(reverse("fhir:service_request", args=[referral.service_request_id])).json()
    assert (request["status"], request["priority"]) == ("active", "urgent")
    assert request["subject"]["reference"] == f"Patient/{referral.patient_id}"
    patient = fhir.get(reverse("fhir:patient", args=[referral.patient_id])).json()
    assert patient["name"][0]["family"] == FAMILY
    assert patient["address"] == [{"postalCode": "60601"}]


def test_another_systems_referral_is_not_found(api_client, referral):
    client, secret = fhir_client_create(name="Another practice")
    token = api_client.post(
        reverse("fhir:token"),
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
        },
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = api_client.get(reverse("fhir:task", args=[referral.task_id]))
    assert answer.status_code == 404
    assert answer.json()["issue"][0]["code"] == "not-found"
    assert api_client.get(reverse("fhir:patient", args=["not-a-uuid"])).status_code == 404


def test_the_capability_statement_lists_what_is_supported(api_client, db):
    answer = api_client.get(reverse("fhir:metadata"))
    statement = answer.json()
    CapabilityStatement.model_validate(statement)
    [rest] = statement["rest"]
    assert {r["type"]: [i["code"] for i in r["interaction"]] for r in rest["resource"]} == {
        "ServiceRequest": ["create", "read"],
        "Task": ["read", "search-type"],
        "Patient": ["read"],
    }
    assert rest["interaction"] == [{"code": "transaction"}]


def test_without_credentials_the_answer_is_an_operation_outcome_401(api_client, db):
    answer = api_client.post(reverse("fhir:transaction"), {}, format="json")
    assert answer.status_code == 401
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_a_wrong_secret_gets_no_token(api_client, fhir_client):
    client, _ = fhir_client
    answer = api_client.post(
        reverse("fhir:token"),
        {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": "x"},
    )
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")
    wrong_grant = api_client.post(reverse("fhir:token"), {"grant_type": "password"})
    assert wrong_grant.json()["error"] == "unsupported_grant_type"


def test_a_fhir_token_opens_nothing_outside_fhir(fhir):
    assert fhir.get("/api/v1/leads/").status_code == 401


def test_the_intake_api_key_is_accepted_too(api_client, fhir_client, orthopedics):
    from apps.intake.services import intake_key_create

    _, raw_key = intake_key_create(name="Referral vendor")
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    answer = post_json(api_client, reverse("fhir:transaction"), referral_bundle())
    assert answer.status_code == 201


def test_a_staff_token_is_refused(api_client, db):
    from rest_framework.authtoken.models import Token

    staff = UserFactory(roles=[Role.MANAGER])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")
    assert api_client.get(reverse("fhir:task_search"), {"focus": "x"}).status_code == 401
