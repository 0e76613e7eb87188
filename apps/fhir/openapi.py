"""An OpenAPI 3.1 description of the FHIR R4 endpoints LeadCRM supports, served at
GET /fhir/r4/openapi.json beside the CapabilityStatement (FHIR's own contract).

It is the subset of FHIR a referral needs, stated tightly enough that a request valid
by it is one LeadCRM takes: a ServiceRequest whose code is one the hospital has mapped
(read from the mapping table when the description is asked for), a Patient with a phone
valid for the hospital's region, nothing else. Answers are described by the shapes of
the FHIR specification (resourceType, the required elements, the value sets used).
"""

from django.conf import settings

from apps.fhir.parsing import ORDER_INTENTS, URGENCY
from apps.fhir.selectors import service_line_code_list
from apps.intake.schema import phone_number_pattern

FHIR_JSON = "application/fhir+json"
# FHIR's id datatype.
ID_PATTERN = r"^[A-Za-z0-9\-\.]{1,64}$"
# A birth date in the past and within intake's 130 years, on any day of any month.
BIRTH_DATE_PATTERN = r"^(19[3-9][0-9]|20[01][0-9])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"
NAME_PATTERN = r"^[A-Za-z][A-Za-z'\-]{0,38}[A-Za-z]$"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _codeable_concept() -> dict:
    return {
        "type": "object",
        "properties": {
            "coding": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "system": {"type": "string"},
                        "code": {"type": "string"},
                        "display": {"type": "string"},
                    },
                },
            },
            "text": {"type": "string"},
        },
    }


def _reference() -> dict:
    return {
        "type": "object",
        "properties": {"reference": {"type": "string"}, "display": {"type": "string"}},
    }


def _resource(kind: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"resourceType": {"type": "string", "enum": [kind]}, **properties},
        "required": ["resourceType", *required],
    }


def _answers() -> dict:
    """Resources LeadCRM answers with, by the specification's shapes."""
    outcome = _resource(
        "OperationOutcome",
        {
            "issue": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "severity": {
                            "type": "string",
                            "enum": ["fatal", "error", "warning", "information"],
                        },
                        "code": {"type": "string"},
                        "diagnostics": {"type": "string"},
                        "expression": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["severity", "code"],
                },
            }
        },
        ["issue"],
    )
    task = _resource(
        "Task",
        {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "status": {
                "type": "string",
                "enum": [
                    "draft",
                    "requested",
                    "received",
                    "accepted",
                    "rejected",
                    "ready",
                    "cancelled",
                    "in-progress",
                    "on-hold",
                    "failed",
                    "completed",
                    "entered-in-error",
                ],
            },
            "statusReason": _codeable_concept(),
            "businessStatus": _codeable_concept(),
            "intent": {
                "type": "string",
                "enum": [
                    "unknown",
                    "proposal",
                    "plan",
                    "order",
                    "original-order",
                    "reflex-order",
                    "filler-order",
                    "instance-order",
                    "option",
                ],
            },
            "focus": _reference(),
            "for": _reference(),
            "authoredOn": {"type": "string"},
            "lastModified": {"type": "string"},
            "output": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"type": _codeable_concept()},
                    "required": ["type"],
                },
            },
        },
        ["status", "intent"],
    )
    service_request = _resource(
        "ServiceRequest",
        {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "status": {
                "type": "string",
                "enum": [
                    "draft",
                    "active",
                    "on-hold",
                    "revoked",
                    "completed",
                    "entered-in-error",
                    "unknown",
                ],
            },
            "intent": {"type": "string"},
            "priority": {"type": "string", "enum": ["routine", "urgent", "asap", "stat"]},
            "code": _codeable_concept(),
            "subject": _reference(),
        },
        ["status", "intent", "subject"],
    )
    patient = _resource("Patient", {"id": {"type": "string", "pattern": ID_PATTERN}}, [])
    bundle = _resource(
        "Bundle",
        {
            "type": {
                "type": "string",
                "enum": [
                    "document",
                    "message",
                    "transaction",
                    "transaction-response",
                    "batch",
                    "batch-response",
                    "history",
                    "searchset",
                    "collection",
                ],
            },
            "total": {"type": "integer", "minimum": 0},
            "entry": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "fullUrl": {"type": "string"},
                        "resource": _ref("Task"),
                        "search": {
                            "type": "object",
                            "properties": {
                                "mode": {"type": "string", "enum": ["match", "include", "outcome"]}
                            },
                        },
                        "response": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "string"},
                                "location": {"type": "string"},
                            },
                            "required": ["status"],
                        },
                    },
                },
            },
        },
        ["type"],
    )
    capability = _resource(
        "CapabilityStatement",
        {
            "status": {"type": "string", "enum": ["draft", "active", "retired", "unknown"]},
            "date": {"type": "string"},
            "kind": {"type": "string", "enum": ["instance", "capability", "requirements"]},
            "fhirVersion": {"type": "string", "enum": ["4.0.1"]},
            "format": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "rest": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"mode": {"type": "string", "enum": ["client", "server"]}},
                    "required": ["mode"],
                },
            },
        },
        ["status", "date", "kind", "fhirVersion", "format"],
    )
    return {
        "OperationOutcome": outcome,
        "Task": task,
        "ServiceRequest": service_request,
        "Patient": patient,
        "Bundle": bundle,
        "CapabilityStatement": capability,
    }


def _referral_parts() -> dict:
    """What a referral sends: exactly the elements LeadCRM reads, each as it takes them."""
    mapped = [
        {
            "type": "object",
            "properties": {
                "system": {"type": "string", "enum": [row.system]},
                "code": {"type": "string", "enum": [row.code]},
            },
            "required": ["system", "code"],
            "additionalProperties": False,
        }
        for row in service_line_code_list().filter(service_line__is_active=True)
    ]
    coding = {"anyOf": mapped} if mapped else {"type": "object"}
    patient = {
        "type": "object",
        "description": "The patient: a phone (valid for the hospital's region) is required.",
        "properties": {
            "resourceType": {"type": "string", "enum": ["Patient"]},
            "id": {"type": "string", "enum": ["patient"]},
            "name": {
                "type": "array",
                "maxItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "family": {"type": "string", "pattern": NAME_PATTERN},
                        "given": {
                            "type": "array",
                            "maxItems": 1,
                            "items": {"type": "string", "pattern": NAME_PATTERN},
                        },
                    },
                    "additionalProperties": False,
                },
            },
            "telecom": {
                "type": "array",
                "prefixItems": [
                    {
                        "type": "object",
                        "properties": {
                            "system": {"type": "string", "enum": ["phone"]},
                            "value": {
                                "type": "string",
                                "pattern": phone_number_pattern(
                                    settings.PHONENUMBER_DEFAULT_REGION
                                ),
                            },
                        },
                        "required": ["system", "value"],
                        "additionalProperties": False,
                    }
                ],
                "items": False,
                "minItems": 1,
            },
            "birthDate": {"type": "string", "pattern": BIRTH_DATE_PATTERN},
        },
        "required": ["resourceType", "id", "telecom"],
        "additionalProperties": False,
    }

    def service_request(subject: str, extra: dict, required: list[str]) -> dict:
        return {
            "type": "object",
            "description": "The referral; `code` carries a coding the hospital has mapped.",
            "properties": {
                "resourceType": {"type": "string", "enum": ["ServiceRequest"]},
                "status": {"type": "string", "enum": ["active", "draft"]},
                "intent": {"type": "string", "enum": sorted(ORDER_INTENTS)},
                "priority": {"type": "string", "enum": sorted(URGENCY)},
                "code": {
                    "type": "object",
                    "properties": {
                        "coding": {
                            "type": "array",
                            "prefixItems": [coding],
                            "items": False,
                            "minItems": 1,
                        }
                    },
                    "required": ["coding"],
                    "additionalProperties": False,
                },
                "subject": {
                    "type": "object",
                    "properties": {"reference": {"type": "string", "enum": [subject]}},
                    "required": ["reference"],
                    "additionalProperties": False,
                },
                **extra,
            },
            "required": ["resourceType", "status", "intent", "code", "subject", *required],
            "additionalProperties": False,
        }

    with_patient = service_request(
        "#patient",
        {
            "contained": {
                "type": "array",
                "prefixItems": [patient],
                "items": False,
                "minItems": 1,
            }
        },
        ["contained"],
    )
    in_bundle = service_request("Patient/patient", {}, [])
    bundle = {
        "type": "object",
        "description": "A transaction Bundle: the ServiceRequest, then its Patient.",
        "properties": {
            "resourceType": {"type": "string", "enum": ["Bundle"]},
            "type": {"type": "string", "enum": ["transaction"]},
            "entry": {
                "type": "array",
                "prefixItems": [
                    _bundle_entry(in_bundle, "ServiceRequest"),
                    _bundle_entry(patient, "Patient"),
                ],
                "items": False,
                "minItems": 2,
            },
        },
        "required": ["resourceType", "type", "entry"],
        "additionalProperties": False,
    }
    return {"ReferralBundle": bundle, "ReferralServiceRequest": with_patient}


def _bundle_entry(resource: dict, kind: str) -> dict:
    # A transaction's entries each say what to do (FHIR R4 Bundle, bdl-3).
    return {
        "type": "object",
        "properties": {
            "resource": resource,
            "request": {
                "type": "object",
                "properties": {
                    "method": {"type": "string", "enum": ["POST"]},
                    "url": {"type": "string", "enum": [kind]},
                },
                "required": ["method", "url"],
                "additionalProperties": False,
            },
        },
        "required": ["resource", "request"],
        "additionalProperties": False,
    }


def _answer(description: str, schema: str | None) -> dict:
    answer: dict = {"description": description}
    if schema:
        answer["content"] = {FHIR_JSON: {"schema": _ref(schema)}}
    return answer


_REFUSED = {
    "400": _answer("Invalid: an OperationOutcome naming each element.", "OperationOutcome"),
    "401": _answer("No token or key, or a wrong one.", "OperationOutcome"),
}


def _read(kind: str) -> dict:
    return {
        "get": {
            "operationId": f"{kind.lower()}_read",
            "summary": f"Read a {kind} of one of the client's referrals",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": ID_PATTERN},
                }
            ],
            "responses": {
                "200": _answer(kind, kind),
                "401": _REFUSED["401"],
                "404": _answer("Not one of this client's.", "OperationOutcome"),
            },
        }
    }


def fhir_openapi(*, server_url: str) -> dict:
    """The description, with the code mappings in force now."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LeadCRM FHIR R4 referrals",
            "version": "1.0.0",
            "description": "Referrals in, their status out. The CapabilityStatement at "
            "/fhir/r4/metadata is the FHIR contract; this is the same, for OpenAPI tools.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            "/metadata": {
                "get": {
                    "operationId": "capabilities",
                    "summary": "The CapabilityStatement",
                    "security": [],
                    "responses": {
                        "200": _answer("What this server supports.", "CapabilityStatement")
                    },
                }
            },
            "/": {
                "post": {
                    "operationId": "transaction",
                    "summary": "A referral as a transaction Bundle",
                    "requestBody": {
                        "required": True,
                        "content": {FHIR_JSON: {"schema": _ref("ReferralBundle")}},
                    },
                    "responses": {
                        "201": _answer("A new referral: a transaction-response Bundle.", "Bundle"),
                        "200": _answer("An open referral it matches.", "Bundle"),
                        **_REFUSED,
                    },
                }
            },
            "/ServiceRequest": {
                "post": {
                    "operationId": "service_request_create",
                    "summary": "A referral as a ServiceRequest with its Patient contained",
                    "requestBody": {
                        "required": True,
                        "content": {FHIR_JSON: {"schema": _ref("ReferralServiceRequest")}},
                    },
                    "responses": {
                        "201": _answer("A new referral.", "ServiceRequest"),
                        "200": _answer("An open referral it matches.", "ServiceRequest"),
                        **_REFUSED,
                    },
                }
            },
            "/ServiceRequest/{id}": _read("ServiceRequest"),
            "/Patient/{id}": _read("Patient"),
            "/Task/{id}": _read("Task"),
            "/Task": {
                "get": {
                    "operationId": "task_search",
                    "summary": "The Task of a ServiceRequest (a searchset Bundle, 0 or 1)",
                    "parameters": [
                        {
                            "name": "focus",
                            "in": "query",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "pattern": r"^ServiceRequest/[A-Za-z0-9\-\.]{1,64}$",
                            },
                        }
                    ],
                    "responses": {"200": _answer("A searchset Bundle.", "Bundle"), **_REFUSED},
                }
            },
        },
        "components": {
            "schemas": {**_answers(), **_referral_parts()},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "OAuth 2.0 client credentials token.",
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Api-Key <key>`.",
                },
            },
        },
    }
