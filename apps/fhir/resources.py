"""What LeadCRM answers in FHIR: Task, ServiceRequest and Patient for a referral, the
OperationOutcome of a refusal, and the CapabilityStatement. Each is checked against
its fhir.resources model before it leaves, so an answer is always valid R4."""

from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from apps.fhir.models import FhirReferral
from apps.fhir.parsing import NPI_SYSTEM, Issue
from apps.leads.choices import LostReason
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import StageKind

# Lost reasons that mean the hospital turned the referral down (rejected); any other
# loss is the patient's or nobody's doing (cancelled).
REJECTED_REASONS = {
    LostReason.NOT_A_CANDIDATE,
    LostReason.SERVICE_NOT_OFFERED,
    LostReason.OUT_OF_NETWORK,
}
PRIORITY = {"routine": "routine", "soon": "urgent", "urgent": "asap"}


def _checked(model, resource: dict) -> dict:
    model.model_validate(resource)
    return resource


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def task_status(lead) -> str:
    """The referral's Task status, following the lead's stage."""
    stage = lead.stage
    if stage.kind == StageKind.LOST:
        return "rejected" if lead.lost_reason in REJECTED_REASONS else "cancelled"
    if stage.kind == StageKind.WON or stage.slug == DefaultStage.SCHEDULED:
        return "completed"
    if stage.kind == StageKind.NURTURE:
        return "on-hold"
    if stage.slug in (DefaultStage.CONTACTED, DefaultStage.QUALIFIED):
        return "in-progress"
    if lead.owner_id is not None or lead.team_id is not None:
        return "accepted"  # routed or claimed
    return "requested"


def task_resource(referral: FhirReferral) -> dict:
    lead = referral.lead
    status = task_status(lead)
    task = {
        "resourceType": "Task",
        "id": str(referral.task_id),
        "status": status,
        "businessStatus": {"text": lead.stage.name},
        "intent": "order",
        "focus": {"reference": f"ServiceRequest/{referral.service_request_id}"},
        "for": {"reference": f"Patient/{referral.patient_id}"},
        "authoredOn": _iso(lead.created_at),
        "lastModified": _iso(lead.updated_at),
    }
    if status in ("rejected", "cancelled"):
        task["statusReason"] = {"text": "Closed"}
        if lead.lost_reason in LostReason.values:
            task["statusReason"] = {
                "coding": [{"system": "urn:leadcrm:lost-reason", "code": lead.lost_reason}],
                "text": LostReason(lead.lost_reason).label,
            }
    if status == "completed" and lead.appointment_at is not None:
        task["output"] = [
            {"type": {"text": "Appointment date"}, "valueDateTime": _iso(lead.appointment_at)}
        ]
    return _checked(Task, task)


def service_request_resource(referral: FhirReferral, codes: list) -> dict:
    lead = referral.lead
    if lead.closed_at is None:
        status = "active"
    else:
        status = "completed" if lead.stage.kind == StageKind.WON else "revoked"
    request = {
        "resourceType": "ServiceRequest",
        "id": str(referral.service_request_id),
        "status": status,
        "intent": "order",
        "priority": PRIORITY.get(lead.urgency, "routine"),
        "code": {
            "coding": [{"system": c.system, "code": c.code} for c in codes],
            "text": lead.service_line.name,
        },
        "subject": {"reference": f"Patient/{referral.patient_id}"},
        "authoredOn": _iso(lead.created_at),
    }
    if lead.message:
        request["note"] = [{"text": lead.message}]
    source = lead.referral_source
    if source is not None and source.npi:
        request["requester"] = {
            "identifier": {"system": NPI_SYSTEM, "value": source.npi},
            "display": source.name,
        }
    return _checked(ServiceRequest, request)


def patient_resource(referral: FhirReferral) -> dict:
    person = referral.lead.person
    patient: dict = {"resourceType": "Patient", "id": str(referral.patient_id)}
    name = {"family": person.last_name} if person.last_name else {}
    if person.first_name:
        name["given"] = [person.first_name]
    if name:
        patient["name"] = [name]
    telecom = []
    if person.phone:
        telecom.append({"system": "phone", "value": str(person.phone)})
    if person.email:
        telecom.append({"system": "email", "value": person.email})
    if telecom:
        patient["telecom"] = telecom
    if person.date_of_birth:
        patient["birthDate"] = person.date_of_birth.isoformat()
    if person.preferred_language:
        patient["communication"] = [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": person.preferred_language}]
                }
            }
        ]
    if person.postal_code:
        patient["address"] = [{"postalCode": person.postal_code}]
    return _checked(Patient, patient)


def operation_outcome(issues: list[Issue]) -> dict:
    return _checked(
        OperationOutcome,
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue.code,
                    "diagnostics": issue.diagnostics,
                    # No expression for a problem with the request as a whole.
                    **({"expression": [issue.expression]} if issue.expression else {}),
                }
                for issue in issues
            ],
        },
    )


def capability_statement(*, base_url: str, token_url: str, software_version: str) -> dict:
    """Exactly what this server does: nothing it does not list."""
    return _checked(
        CapabilityStatement,
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-12-07",
            "kind": "instance",
            "software": {"name": "LeadCRM", "version": software_version},
            "implementation": {"description": "LeadCRM referral intake", "url": base_url},
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json", "json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "service": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                        "code": "OAuth",
                                    }
                                ]
                            }
                        ],
                        "description": (
                            "OAuth 2.0 client credentials: POST grant_type=client_credentials "
                            f"to {token_url}, then Authorization: Bearer <token>. An intake "
                            "API key (Authorization: Api-Key <key>) is also accepted."
                        ),
                        "extension": [
                            {
                                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                                "extension": [{"url": "token", "valueUri": token_url}],
                            }
                        ],
                    },
                    "resource": [
                        {
                            "type": "ServiceRequest",
                            "interaction": [{"code": "create"}, {"code": "read"}],
                            "conditionalCreate": True,
                        },
                        {
                            "type": "Task",
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                            "searchParam": [
                                {
                                    "name": "focus",
                                    "type": "reference",
                                    "documentation": "ServiceRequest/<id> only",
                                }
                            ],
                        },
                        {"type": "Patient", "interaction": [{"code": "read"}]},
                    ],
                    "interaction": [{"code": "transaction"}],
                }
            ],
        },
    )
