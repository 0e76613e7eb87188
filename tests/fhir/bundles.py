"""FHIR R4 referral resources modelled on the specification's published examples
(ServiceRequest "example"/"physiotherapy", Patient "example", Practitioner "example",
Task "example1"), with synthetic people (Faker) and US details."""

import copy

from faker import Faker

from apps.referral_sources.validators import npi_check_digit

_fake = Faker("en_US")
_fake.seed_instance(17)
SNOMED = "http://snomed.info/sct"
KNEE_REPLACEMENT = "609588000"  # SNOMED CT: total knee replacement
NPI = "123456789" + npi_check_digit("123456789")
FIRST, FAMILY = _fake.first_name(), _fake.last_name()
DOCTOR_FIRST, DOCTOR_FAMILY = _fake.first_name(), _fake.last_name()

PATIENT = {
    "resourceType": "Patient",
    "id": "example",
    "identifier": [{"use": "usual", "system": "urn:oid:1.2.36.146.595.217.0.1", "value": "12345"}],
    "active": True,
    "name": [
        {"use": "official", "family": FAMILY, "given": [FIRST, "James"]},
        {"use": "usual", "given": [FIRST[:3]]},
    ],
    "telecom": [
        {"use": "home"},
        {"system": "phone", "value": "(312) 555-0199", "use": "mobile", "rank": 1},
        {"system": "email", "value": f"{FIRST}.{FAMILY}@example.com".lower()},
    ],
    "gender": "male",
    "birthDate": "1974-12-25",
    "address": [
        {
            "use": "home",
            "line": ["534 Erewhon St"],
            "city": "Chicago",
            "state": "IL",
            "postalCode": "60601",
        }
    ],
    "communication": [
        {
            "language": {
                "coding": [{"system": "urn:ietf:bcp:47", "code": "es", "display": "Spanish"}]
            }
        }
    ],
}

PRACTITIONER = {
    "resourceType": "Practitioner",
    "id": "example",
    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": NPI}],
    "active": True,
    "name": [{"family": DOCTOR_FAMILY, "given": [DOCTOR_FIRST], "prefix": ["Dr"]}],
}

ORGANIZATION = {"resourceType": "Organization", "id": "org1", "name": "Lakeshore Family Practice"}

PRACTITIONER_ROLE = {
    "resourceType": "PractitionerRole",
    "id": "role1",
    "practitioner": {"reference": "Practitioner/example"},
    "organization": {"reference": "Organization/org1"},
}

SERVICE_REQUEST = {
    "resourceType": "ServiceRequest",
    "id": "physiotherapy",
    "identifier": [{"system": "http://practice.example.org/referrals", "value": "ref-2044"}],
    "status": "active",
    "intent": "order",
    "category": [
        {"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}]}
    ],
    "priority": "urgent",
    "code": {
        "coding": [
            {"system": SNOMED, "code": KNEE_REPLACEMENT, "display": "Total knee replacement"}
        ]
    },
    "subject": {"reference": "urn:uuid:9a1c2d3e-0000-4000-8000-000000000001"},
    "authoredOn": "2026-12-01T09:30:00-06:00",
    "requester": {"reference": "PractitionerRole/role1"},
    "reasonCode": [{"text": "Osteoarthritis of the right knee, failed conservative care"}],
    "note": [{"text": "Please see within two weeks."}],
}

TASK = {
    "resourceType": "Task",
    "id": "example1",
    "status": "requested",
    "intent": "order",
    "focus": {"reference": "urn:uuid:9a1c2d3e-0000-4000-8000-000000000002"},
    "for": {"reference": "urn:uuid:9a1c2d3e-0000-4000-8000-000000000001"},
    "authoredOn": "2026-12-01T09:30:00-06:00",
}


def _entry(url: str, resource: dict, kind: str) -> dict:
    return {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": kind}}


def referral_bundle(identifier: str = "bundle-2044") -> dict:
    """Entries: 0 ServiceRequest, 1 Patient, 2 Practitioner, 3 PractitionerRole,
    4 Organization, 5 Task."""
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            _entry(
                "urn:uuid:9a1c2d3e-0000-4000-8000-000000000002", SERVICE_REQUEST, "ServiceRequest"
            ),
            _entry("urn:uuid:9a1c2d3e-0000-4000-8000-000000000001", PATIENT, "Patient"),
            _entry("urn:uuid:9a1c2d3e-0000-4000-8000-000000000003", PRACTITIONER, "Practitioner"),
            _entry(
                "urn:uuid:9a1c2d3e-0000-4000-8000-000000000004",
                PRACTITIONER_ROLE,
                "PractitionerRole",
            ),
            _entry("urn:uuid:9a1c2d3e-0000-4000-8000-000000000005", ORGANIZATION, "Organization"),
            _entry("urn:uuid:9a1c2d3e-0000-4000-8000-000000000006", TASK, "Task"),
        ],
    }
    if identifier:
        bundle["identifier"] = {
            "system": "http://practice.example.org/bundles",
            "value": identifier,
        }
    return copy.deepcopy(bundle)


def contained_service_request() -> dict:
    request = copy.deepcopy(SERVICE_REQUEST)
    patient = copy.deepcopy(PATIENT) | {"id": "p1"}
    practitioner = copy.deepcopy(PRACTITIONER) | {"id": "dr1"}
    request["contained"] = [patient, practitioner]
    request["subject"] = {"reference": "#p1"}
    request["requester"] = {"reference": "#dr1"}
    return request
