"""FHIR reads are reads of patient information: each writes its access log entry naming
the sending system (it has no user), the lead and the patient."""

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from apps.audit.models import AccessLogEntry
from apps.fhir.models import FhirReferral
from tests.fhir.bundles import contained_service_request, referral_bundle
from tests.fhir.conftest import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(fhir) -> FhirReferral:
    post_json(fhir, reverse("fhir:transaction"), referral_bundle())
    return FhirReferral.objects.select_related("lead", "intake_key").get()


@pytest.mark.parametrize(
    ("url_name", "field", "what"),
    [
        ("fhir:patient", "patient_id", "FHIR Patient"),
        ("fhir:service_request", "service_request_id", "FHIR ServiceRequest"),
        ("fhir:task", "task_id", "FHIR Task"),
    ],
)
def test_each_fhir_read_records_the_system_the_lead_and_the_patient(
    fhir, referral, url_name, field, what
):
    assert not AccessLogEntry.objects.exists()  # the transaction's answer shows ids only

    answer = fhir.get(reverse(url_name, args=[getattr(referral, field)]), REMOTE_ADDR="10.1.2.3")

    assert answer.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.what, entry.lead_ids, entry.person_ids) == (
        what,
        [referral.lead_id],
        [referral.lead.person_id],
    )
    assert (entry.user_id, entry.username, entry.roles) == (
        None,
        str(referral.intake_key),
        "API client",
    )
    assert (entry.via, entry.method, entry.ip) == ("bearer", "GET", "10.1.2.3")
    assert entry.path == reverse(url_name, args=[getattr(referral, field)])


def test_a_task_search_that_finds_the_referral_is_recorded(fhir, referral):
    focus = f"ServiceRequest/{referral.service_request_id}"
    fhir.get(reverse("fhir:task_search"), {"focus": focus})

    assert AccessLogEntry.objects.get().lead_ids == [referral.lead_id]


def test_a_service_request_posted_answers_with_the_referral_and_is_recorded(fhir, orthopedics):
    post_json(fhir, reverse("fhir:service_request_create"), contained_service_request())

    referral = FhirReferral.objects.get()
    assert AccessLogEntry.objects.get().lead_ids == [referral.lead_id]


def test_another_systems_patient_is_not_found_and_not_recorded(fhir, referral):
    answer = fhir.get(reverse("fhir:patient", args=["00000000-0000-4000-8000-000000000000"]))
    assert answer.status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_fhir_read_that_cannot_be_recorded_is_not_answered(fhir, referral):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$;
            CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_accesslog
                FOR EACH ROW EXECUTE FUNCTION test_refuse_insert();
            """
        )
    with pytest.raises(DatabaseError, match="disk full"):
        fhir.get(reverse("fhir:patient", args=[referral.patient_id]))
