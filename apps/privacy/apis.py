"""Break-the-glass on the staff API: the same emergency access as the lead page's form
(apps.privacy.services.emergency_access_grant), for staff working through the API."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import user_has_role
from apps.core.api import service_errors_as_400
from apps.leads.models import Lead
from apps.privacy.serializers import EmergencyAccessCreateSerializer, EmergencyAccessSerializer
from apps.privacy.services import EMERGENCY_ROLES, emergency_access_grant


class LeadEmergencyAccessApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="leads_emergency_access_create",
        summary="Open a lead outside your teams in an emergency (break-the-glass)",
        description=(
            f"For a lead outside your teams (a patient who called the wrong line): give a "
            f"reason and a few words, and for {settings.BREAK_GLASS_HOURS} hours this lead "
            "answers on GET /api/v1/leads/<id>/ and /activities/ (and takes the usual "
            "writes) as if it were yours. Every read is marked break-the-glass in the access "
            "log; the privacy officer and your manager are alerted at once and review the "
            "use. Intake coordinators, managers and admins only. Without it, such a lead "
            "answers 404."
        ),
        request=EmergencyAccessCreateSerializer,
        responses={
            201: EmergencyAccessSerializer,
            400: OpenApiResponse(description="Field-level errors: a reason missing or unknown."),
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The lead is already yours to see: {reason: [message]}.",
            ),
            403: OpenApiResponse(description="Your role cannot open leads in an emergency."),
            404: OpenApiResponse(description="No such lead."),
        },
    )
    def post(self, request: Request, lead_id: int) -> Response:
        if not user_has_role(user=request.user, roles=EMERGENCY_ROLES):
            raise PermissionDenied("Your role cannot open leads in an emergency.")
        serializer = EmergencyAccessCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with service_errors_as_400():
                access = emergency_access_grant(
                    user=request.user, lead_id=lead_id, **serializer.validated_data
                )
        except Lead.DoesNotExist:
            raise Http404("No such lead.") from None
        return Response(EmergencyAccessSerializer(access).data, status=status.HTTP_201_CREATED)
