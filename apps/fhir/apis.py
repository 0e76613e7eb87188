"""/fhir/r4/: referrals in (a transaction Bundle, or a ServiceRequest with contained
resources), their status out (Task, ServiceRequest, Patient), the CapabilityStatement
and the OAuth 2.0 token endpoint. Thin: parse, one service or selector, answer FHIR.

Every refusal is an OperationOutcome, never a 500: the body's JSON, the resources'
structure (fhir.resources), the referral's rules and intake's validation each name the
element at fault in `issue.expression`.
"""

import base64
import binascii
import json
import re
import uuid

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.fhir import parsing, resources, selectors, services
from apps.fhir.authentication import FHIR_AUTHENTICATION
from apps.fhir.models import FhirReferral
from apps.fhir.openapi import fhir_openapi

FHIR_JSON = "application/fhir+json"
FHIR_ID = re.compile(r"[A-Za-z0-9\-\.]{1,64}")  # FHIR's id datatype


def _answer(body: dict, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(body, status=status, content_type=FHIR_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _outcome(status: int, issues: list[parsing.Issue]) -> JsonResponse:
    return _answer(resources.operation_outcome(issues), status)


class FhirView(APIView):
    authentication_classes = FHIR_AUTHENTICATION
    permission_classes = [IsAuthenticated]
    throttle_classes = []
    # Described by GET /fhir/r4/metadata (FHIR's own contract), not the staff OpenAPI.
    schema = None

    def handle_exception(self, exc):
        # Authentication and permission refusals in FHIR's shape too.
        if isinstance(exc, APIException):
            response = super().handle_exception(exc)
            code = "login" if response.status_code == 401 else "forbidden"
            answer = _outcome(response.status_code, [parsing.Issue("", str(exc.detail), code)])
            if "WWW-Authenticate" in response:
                answer["WWW-Authenticate"] = response["WWW-Authenticate"]
            return answer
        return super().handle_exception(exc)

    def _body(self, request: Request):
        if len(request.body) > settings.INTAKE_MAX_BODY_BYTES:
            raise parsing.ReferralInvalid(
                [parsing.Issue("", "The body is too large.", "too-costly")]
            )
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise parsing.ReferralInvalid(
                [parsing.Issue("", "The body is not JSON.", "structure")]
            ) from None

    def _take(
        self, request: Request, read
    ) -> tuple[services.ReferralTaken | None, JsonResponse | None]:
        try:
            referral = read(self._body(request))
            condition = request.headers.get("If-None-Exist", "").strip()
            if condition:
                referral.identifier, referral.conditional = condition, True
            return services.fhir_referral_take(intake_key=request.auth, referral=referral), None
        except parsing.ReferralInvalid as invalid:
            issues = invalid.issues
            if invalid.referral is not None:
                issues = services.fhir_referral_issues(referral=invalid.referral, known=issues)
            return None, _outcome(400, issues)


class TransactionApi(FhirView):
    """POST /fhir/r4/: a transaction Bundle carrying one referral."""

    def post(self, request: Request):
        taken, refusal = self._take(request, parsing.bundle_read)
        if refusal is not None:
            return refusal
        referral = taken.referral
        status_text = "201 Created" if taken.created else "200 OK"
        entries = [
            {"response": {"status": status_text, "location": f"{kind}/{rid}"}}
            for kind, rid in (
                ("ServiceRequest", referral.service_request_id),
                ("Task", referral.task_id),
                ("Patient", referral.patient_id),
            )
        ]
        body = {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
        location = request.build_absolute_uri(
            reverse("fhir:service_request", args=[referral.service_request_id])
        )
        return _answer(body, 201 if taken.created else 200, Location=location)


class ServiceRequestCreateApi(FhirView):
    """POST /fhir/r4/ServiceRequest: a ServiceRequest with contained resources."""

    def post(self, request: Request):
        taken, refusal = self._take(request, parsing.service_request_read)
        if refusal is not None:
            return refusal
        # The answer shows the referral's note: a repeat inquiry's is the open lead's.
        referral = selectors.fhir_referral_read(
            intake_key=request.auth,
            kind="ServiceRequest",
            service_request_id=taken.referral.service_request_id,
        )
        codes = selectors.fhir_service_line_codes(service_line_ids=[referral.lead.service_line_id])
        body = resources.service_request_resource(
            referral, codes.get(referral.lead.service_line_id, [])
        )
        location = request.build_absolute_uri(
            reverse("fhir:service_request", args=[referral.service_request_id])
        )
        return _answer(body, 201 if taken.created else 200, Location=location)


def _not_found(kind: str, rid) -> JsonResponse:
    return _outcome(404, [parsing.Issue(kind, f"No {kind}/{rid} for this client.", "not-found")])


class ReadApi(FhirView):
    """GET ServiceRequest/<id>, Task/<id>, Patient/<id>: only the client's own."""

    kind = ""

    def get(self, request: Request, resource_id: str):
        field = {"ServiceRequest": "service_request_id", "Task": "task_id", "Patient": "patient_id"}
        try:
            referral = selectors.fhir_referral_read(
                intake_key=request.auth,
                kind=self.kind,
                **{field[self.kind]: uuid.UUID(resource_id)},
            )
        except (ValueError, FhirReferral.DoesNotExist):
            return _not_found(self.kind, resource_id)
        if self.kind == "Task":
            return _answer(resources.task_resource(referral))
        if self.kind == "Patient":
            return _answer(resources.patient_resource(referral))
        codes = selectors.fhir_service_line_codes(service_line_ids=[referral.lead.service_line_id])
        return _answer(
            resources.service_request_resource(
                referral, codes.get(referral.lead.service_line_id, [])
            )
        )


class TaskSearchApi(FhirView):
    """GET Task?focus=ServiceRequest/<id>: a searchset Bundle (0 or 1 Task)."""

    def get(self, request: Request):
        focus = request.query_params.get("focus", "")
        unknown = set(request.query_params) - {"focus", "_format"}
        kind, _, rid = focus.partition("/")
        if unknown or kind != "ServiceRequest" or not FHIR_ID.fullmatch(rid):
            return _outcome(
                400,
                [
                    parsing.Issue(
                        "Task.focus", "Search by focus=ServiceRequest/<id> only.", "not-supported"
                    )
                ],
            )
        try:
            # Any FHIR id is a valid search value; ours are UUIDs, so another finds nothing.
            referral = selectors.fhir_referral_read(
                intake_key=request.auth, kind="Task", service_request_id=uuid.UUID(rid)
            )
            task = resources.task_resource(referral)
            entries = [
                {
                    # A searchset entry carries its resource's absolute URL (FHIR R4, Bundle).
                    "fullUrl": request.build_absolute_uri(
                        reverse("fhir:task", args=[referral.task_id])
                    ),
                    "resource": task,
                    "search": {"mode": "match"},
                }
            ]
        except (ValueError, FhirReferral.DoesNotExist):
            entries = []
        return _answer(
            {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
        )


@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    """GET /fhir/r4/metadata: public, as FHIR expects."""
    return _answer(
        resources.capability_statement(
            base_url=request.build_absolute_uri(reverse("fhir:transaction")),
            token_url=request.build_absolute_uri(reverse("fhir:token")),
            software_version="1.0",
        )
    )


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    """GET /fhir/r4/openapi.json: the same contract for OpenAPI tools, public like
    /metadata (it names the hospital's mapped codes, nothing about patients)."""
    base_url = request.build_absolute_uri(reverse("fhir:transaction")).rstrip("/")
    return JsonResponse(fhir_openapi(server_url=base_url))


def _oauth_error(error: str, status: int, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="fhir"'
    return response


@csrf_exempt  # a machine-to-machine endpoint authenticated by the client's secret
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """OAuth 2.0 client credentials (RFC 6749 4.4): Basic auth or form fields."""
    if request.POST.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", 400, "Use grant_type=client_credentials.")
    client_id = request.POST.get("client_id", "")
    secret = request.POST.get("client_secret", "")
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return _oauth_error("invalid_request", 400, "Malformed Basic credentials.")
    client = selectors.fhir_client_authenticate(client_id=client_id, secret=secret)
    if client is None:
        return _oauth_error("invalid_client", 401, "Unknown client or wrong secret.")
    raw, lifetime = services.fhir_token_issue(client=client)
    response = JsonResponse(
        {"access_token": raw, "token_type": "Bearer", "expires_in": lifetime, "scope": "system/*.*"}
    )
    response["Cache-Control"] = "no-store"
    return response
