"""Staff API for who works a lead: claim it, or (managers) reassign it. The same service
as the lead page and the routing page (apps.routing.assignment)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import ReadsPatients
from apps.core.api import service_errors_as_400
from apps.leads.apis import (
    CONFLICT,
    FIELD_ERRORS,
    NOT_FOUND,
    lead_detail_response,
    lead_for_request,
)
from apps.leads.serializers import LeadAssignSerializer, LeadDetailSerializer
from apps.routing.assignment import lead_reassign


class LeadAssignApi(APIView):
    """Claim a lead waiting in your team, or (managers) reassign it with a reason."""

    permission_classes = [ReadsPatients]  # not liaisons: they change no lead

    @extend_schema(
        operation_id="leads_assign",
        summary="Assign a lead to an owner and/or team",
        request=LeadAssignSerializer,
        responses={
            200: LeadDetailSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="Only managers reassign; others claim."),
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, lead_id: int) -> Response:
        lead = lead_for_request(request, lead_id)
        serializer = LeadAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        if "owner" not in values and "team" not in values:
            return lead_detail_response(request, lead_id)  # both kept: nothing to do
        with service_errors_as_400():
            lead_reassign(
                lead=lead,
                owner=values.get("owner", lead.owner),
                team=values.get("team", lead.team),
                actor=request.user,
                reason=values["reason"],
            )
        return lead_detail_response(request, lead_id)
