"""POST /fhir/r4/: a referral Bundle becomes a physician-referral lead through intake;
the same Bundle again matches it; every invalid element is named, nothing saved."""

import pytest
from django.urls import reverse

from apps.fhir.models import FhirReferral
from apps.leads.models import Lead
from apps.routing.services import lead_route
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.fhir.bundles import FAMILY, FIRST, NPI, contained_service_request, referral_bundle
from tests.fhir.conftest import post_json
from tests.intake.payloads import saved_counts
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def test_a_bundle_from_the_spec_examples_creates_a_routed_physician_referral_lead(
    fhir, django_capture_on_commit_callbacks
):
    team = TeamFactory(name="Orthopedics intake")
    RoutingRuleFactory(target_team=team)
    TeamMembershipFactory(team=team, user=UserFactory())

    with django_capture_on_commit_callbacks() as queued:
        answer = post_json(fhir, reverse("fhir:transaction"), referral_bundle())

    assert answer.status_code == 201
    assert answer["Content-Type"] == "application/fhir+json"
    body = answer.json()
    assert body["type"] == "transaction-response"
    referral = FhirReferral.objects.get()
    assert answer["Location"].endswith(f"/fhir/r4/ServiceRequest/{referral.service_request_id}")
    assert [e["response"]["location"] for e in body["entry"]] == [
        f"ServiceRequest/{referral.service_request_id}",
        f"Task/{referral.task_id}",
        f"Patient/{referral.patient_id}",
    ]
    lead = Lead.objects.select_related("person", "referral_source").get()
    assert (lead.lead_type, lead.channel, lead.service_line.slug) == (
        "physician_referral", "referral", "orthopedics",
    )  # fmt: skip
    assert lead.urgency == "soon"  # FHIR priority urgent
    assert "Osteoarthritis of the right knee" in lead.message
    assert "Please see within two weeks." in lead.message
    assert (lead.person.first_name, lead.person.last_name) == (FIRST, FAMILY)
    assert str(lead.person.phone) == "+13125550199"
    assert (lead.person.preferred_language, lead.person.postal_code) == ("es", "60601")
    assert lead.person.date_of_birth.isoformat() == "1974-12-25"
    assert lead.referral_source.npi == NPI
    assert lead.referral_source.organization_name == "Lakeshore Family Practice"
    assert queued  # routing is queued after commit, as for any intake
    lead_route(lead_id=lead.pk)  # what the queued routing task runs
    lead.refresh_from_db()
    assert lead.team == team and lead.owner is not None


def test_the_same_bundle_again_answers_200_with_the_same_referral(fhir):
    first = post_json(fhir, reverse("fhir:transaction"), referral_bundle())
    again = post_json(fhir, reverse("fhir:transaction"), referral_bundle())

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["entry"] == [
        {"response": {**e["response"], "status": "201 Created"}} for e in again.json()["entry"]
    ]
    assert Lead.objects.count() == 1


def test_another_referral_of_the_same_patient_matches_the_open_one(fhir):
    first = post_json(fhir, reverse("fhir:transaction"), referral_bundle("one"))
    second = post_json(fhir, reverse("fhir:transaction"), referral_bundle("two"))

    assert (first.status_code, second.status_code) == (201, 200)
    assert Lead.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_if_none_exist_makes_a_repeat_without_bundle_identifier_a_match(fhir):
    headers = {"HTTP_IF_NONE_EXIST": "identifier=http://practice.example.org/referrals|ref-2044"}
    first = post_json(fhir, reverse("fhir:transaction"), referral_bundle(""), **headers)
    again = post_json(fhir, reverse("fhir:transaction"), referral_bundle(""), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Lead.objects.count() == 1


def test_if_none_exist_answers_the_existing_referral_even_for_another_body(fhir):
    headers = {"HTTP_IF_NONE_EXIST": "identifier=http://practice.example.org/referrals|ref-2044"}
    first = post_json(fhir, reverse("fhir:transaction"), referral_bundle(""), **headers)
    changed = referral_bundle("")
    changed["entry"][0]["resource"]["note"] = [{"text": "Sent again with another note."}]
    again = post_json(fhir, reverse("fhir:transaction"), changed, **headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first["Location"] == again["Location"]


def test_the_same_bundle_identifier_with_another_referral_is_refused(fhir):
    post_json(fhir, reverse("fhir:transaction"), referral_bundle("same-id"))
    changed = referral_bundle("same-id")
    changed["entry"][0]["resource"]["note"] = [{"text": "Another referral, same id."}]
    answer = post_json(fhir, reverse("fhir:transaction"), changed)

    assert answer.status_code == 400
    [issue] = answer.json()["issue"]
    assert (issue["code"], issue["expression"]) == ("duplicate", ["Bundle.identifier"])


def test_a_service_request_with_contained_resources_creates_the_lead(fhir):
    answer = post_json(fhir, reverse("fhir:service_request_create"), contained_service_request())

    assert answer.status_code == 201
    body = answer.json()
    assert body["resourceType"] == "ServiceRequest"
    assert answer["Location"].endswith(f"/ServiceRequest/{body['id']}")
    assert Lead.objects.get().referral_source.npi == NPI


def _set(bundle: dict, path: list, value) -> dict:
    target = bundle
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return bundle


_DELETE = object()
SR, PT, DR, TASK = (
    ["entry", 0, "resource"],
    ["entry", 1, "resource"],
    ["entry", 2, "resource"],
    ["entry", 5, "resource"],
)


@pytest.mark.parametrize(
    ("path", "value", "expression"),
    [
        (["type"], "batch", "Bundle.type"),
        ([*PT, "birthDate"], "1974-13-40", "Bundle.entry[1].resource.birthDate"),
        ([*PT, "birthDate"], "2999-01-01", "Bundle.entry[1].resource.birthDate"),
        ([*PT, "telecom", 1, "value"], "555", "Bundle.entry[1].resource.telecom[1].value"),
        ([*PT, "telecom", 2, "value"], "not-an-email", "Bundle.entry[1].resource.telecom[2].value"),
        ([*PT, "name"], "Peter", "Bundle.entry[1].resource.name"),
        (
            [*PT, "communication", 0, "language", "coding", 0, "code"],
            "not a language!",
            "Bundle.entry[1].resource.communication[0].language.coding[0].code",
        ),
        ([*PT, "telecom"], _DELETE, "Bundle.entry[1].resource"),
        ([*SR, "priority"], "whenever", "Bundle.entry[0].resource.priority"),
        ([*SR, "intent"], "proposal", "Bundle.entry[0].resource.intent"),
        ([*SR, "status"], _DELETE, "Bundle.entry[0].resource.status"),
        ([*SR, "code", "coding", 0, "code"], "000000", "Bundle.entry[0].resource.code"),
        (
            [*SR, "subject", "reference"],
            "Patient/someone-else",
            "Bundle.entry[0].resource.subject.reference",
        ),
        ([*SR, "bogus"], 1, "Bundle.entry[0].resource.bogus"),
        (
            [*DR, "identifier", 0, "value"],
            "1234567890",
            "Bundle.entry[2].resource.identifier[0].value",
        ),
        (
            [*DR, "identifier", 0, "system"],
            "http://example.org/ids",
            "Bundle.entry[2].resource.identifier",
        ),
        ([*TASK, "intent"], "plan", "Bundle.entry[5].resource.intent"),
        ([*TASK, "status"], "accepted", "Bundle.entry[5].resource.status"),
        (
            ["entry", 4, "resource", "resourceType"],
            "Encounter",
            "Bundle.entry[4].resource.resourceType",
        ),
        (["entry"], "nothing", "Bundle.entry"),
    ],
)
def test_each_invalid_element_is_named_and_nothing_is_saved(fhir, path, value, expression):
    before = saved_counts()
    answer = post_json(fhir, reverse("fhir:transaction"), _set(referral_bundle(), path, value))

    assert answer.status_code == 400
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert expression in [e for issue in outcome["issue"] for e in issue["expression"]]
    assert all(issue["severity"] == "error" for issue in outcome["issue"])
    assert saved_counts() == before
    assert not FhirReferral.objects.exists()


def test_several_invalid_elements_are_all_named(fhir):
    bundle = referral_bundle()
    _set(bundle, [*SR, "priority"], "whenever")
    _set(bundle, [*DR, "identifier", 0, "value"], "1234567890")
    answer = post_json(fhir, reverse("fhir:transaction"), bundle)
    expressions = {e for issue in answer.json()["issue"] for e in issue["expression"]}
    assert expressions == {
        "Bundle.entry[0].resource.priority",
        "Bundle.entry[2].resource.identifier[0].value",
    }


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        '{"resourceType": "Patient"}',
        '{"resourceType": "Bundle", "type": "transaction"}',
    ],
)
def test_a_body_that_is_no_referral_bundle_is_an_operation_outcome(fhir, body):
    answer = fhir.post(reverse("fhir:transaction"), data=body, content_type="application/fhir+json")
    assert answer.status_code == 400
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert not Lead.objects.exists()


def test_an_unmapped_code_names_the_codes_sent(fhir):
    bundle = referral_bundle()
    _set(bundle, [*SR, "code", "coding", 0, "code"], "000000")
    [issue] = post_json(fhir, reverse("fhir:transaction"), bundle).json()["issue"]
    assert "http://snomed.info/sct|000000" in issue["diagnostics"]


def test_contained_paths_are_named_from_the_service_request(fhir):
    request = contained_service_request()
    request["contained"][0]["birthDate"] = "not a date"
    answer = post_json(fhir, reverse("fhir:service_request_create"), request)
    assert answer.json()["issue"][0]["expression"] == ["ServiceRequest.contained[0].birthDate"]
