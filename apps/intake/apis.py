"""POST /api/v1/intake/: the public contract for web forms, chat and call-tracking vendors."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.parsers import DepthLimitedJSONParser
from apps.intake.authentication import IntakeKeyAuthentication
from apps.intake.selectors import idempotency_record_find
from apps.intake.serializers import IntakeResponseSerializer, IntakeSerializer
from apps.intake.services import (
    IdempotencyKeyReused,
    IntakeResult,
    intake_replay,
    intake_request_fingerprint,
    intake_submit,
)
from apps.intake.throttles import IntakeKeyBurstThrottle, IntakeKeySustainedThrottle

IDEMPOTENCY_KEY_MAX_LENGTH = 255  # IdempotencyRecord.key

_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description='`{"detail": "..."}` saying what went wrong.'
)


class _JsonAnswer(DefaultContentNegotiation):
    """The intake answers in JSON whatever the caller's Accept header says: vendors send
    all sorts, and parsing it on every request only ever led to the one renderer (or to a
    406 for an inquiry that would then be lost). The request body is still checked."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class IntakeApi(APIView):
    """Take in one inquiry. Thin: size and idempotency checks, validation, one service."""

    authentication_classes = [IntakeKeyAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [DepthLimitedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _JsonAnswer
    throttle_classes = [IntakeKeyBurstThrottle, IntakeKeySustainedThrottle]

    @extend_schema(
        operation_id="intake_create",
        summary="Submit an inquiry",
        description=(
            "Opens a lead at stage New (201), or adds the inquiry as a new touch to the "
            "person's open lead for the same service line, matched by phone in any format "
            "or email in any case (200, `duplicate: true`). All or nothing."
        ),
        request=IntakeSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                # Sent blank, it is refused (400): a vendor's template left it empty.
                {"type": "string", "pattern": r"\S", "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                description=(
                    "Optional, up to 255 characters. Repeating a request with the same key "
                    "returns the first answer with `Idempotent-Replayed: true` and saves "
                    "nothing; the same key with another body answers 422."
                ),
            )
        ],
        responses={
            201: OpenApiResponse(IntakeResponseSerializer, description="A new lead."),
            200: OpenApiResponse(
                IntakeResponseSerializer,
                description="A repeat inquiry, added to the person's open lead.",
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Malformed JSON, or field-level messages nested like the body.",
                examples=[
                    OpenApiExample(
                        "Bad fields",
                        value={
                            "service_line": ['Unknown service line "orthopaedics".'],
                            "person": {"phone": ["Enter a valid phone number, ..."]},
                        },
                    )
                ],
            ),
            401: _ERROR,
            413: _ERROR,
            415: _ERROR,
            422: _ERROR,
            429: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Over this key's rate: wait the `Retry-After` seconds and send "
                "the same request again (with its Idempotency-Key).",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        if _body_too_large(request):
            return Response(
                {"detail": f"The body is over {settings.INTAKE_MAX_BODY_BYTES} bytes."},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        idempotency_key = request.headers.get("Idempotency-Key", "").strip()
        if "Idempotency-Key" in request.headers and not idempotency_key:
            # Sent but blank: a vendor's template left it empty, and every retry of
            # every inquiry would otherwise go unguarded.
            return Response(
                {
                    "detail": "The Idempotency-Key header is empty: send a unique value "
                    "per inquiry (a UUID), or leave the header out."
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            return Response(
                {"detail": "The Idempotency-Key header is over 255 characters."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        fingerprint = intake_request_fingerprint(request.data) if idempotency_key else ""

        try:
            if idempotency_key:
                # Answer a replay before validating: the first answer stands even if
                # reference data (a service line switched off) has changed since.
                record = idempotency_record_find(intake_key=request.auth, key=idempotency_key)
                if record is not None:
                    return _respond(intake_replay(record=record, request_fingerprint=fingerprint))
            serializer = IntakeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            result = intake_submit(
                intake_key=request.auth,
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
                **serializer.validated_data,
            )
        except IdempotencyKeyReused:
            return Response(
                {
                    "detail": "This Idempotency-Key was already used with a different body. "
                    "Send a new key for a new inquiry."
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return _respond(result)


def _body_too_large(request: Request) -> bool:
    """Whether the body is over the limit, judged before anything parses it.

    The declared Content-Length turns most oversized bodies away unread; the body
    actually received is measured too, since the header can be absent or wrong.
    """
    limit = settings.INTAKE_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return True
    return len(request.body) > limit


def _respond(result: IntakeResult) -> Response:
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return Response(result.body, status=result.status_code, headers=headers)
