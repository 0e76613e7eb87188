"""Staff API for leads: list, detail, edit, stage moves and the timeline (assignment is
apps.routing.apis').

Every read goes through apps.leads.selectors scoped to the user (a lead they may not see
answers 404, as if it did not exist), or apps.privacy's for a lead the user opened with
emergency access (break-the-glass); every write through apps.leads.services. Liaisons
read leads de-identified (ReferralLeadSerializer) and are refused (403) everything else:
the timeline and every write.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import ChangesLeads, ReadsPatients
from apps.accounts.selectors import user_sees_referrals_only
from apps.core.api import service_errors_as_400
from apps.core.pagination import StrictCursorPagination
from apps.leads.filters import LeadFilter, LeadFilterBackend
from apps.leads.models import Lead
from apps.leads.selectors import (
    lead_referral_rows_for_user,
    lead_row_names,
    lead_rows_for_user,
    lead_rows_shown,
    lead_timeline,
)
from apps.leads.serializers import (
    ActivityCreateSerializer,
    ActivitySerializer,
    LeadDetailSerializer,
    LeadListSerializer,
    LeadStageChangeSerializer,
    LeadUpdateSerializer,
    ReferralLeadSerializer,
)
from apps.leads.services import activity_log, lead_stage_change, lead_update
from apps.people.selectors import consents_in_force
from apps.privacy.selectors import (
    lead_get_with_emergency_access,
    lead_read_with_emergency_access,
)

NOT_FOUND = OpenApiResponse(description="No such lead, or not one of yours.")
FIELD_ERRORS = OpenApiResponse(description="Field-level errors: {field: [messages]}.")
CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Refused by the lead's current state, not the request's shape: {field: [messages]} "
        "(the lead is closed or merged, it keeps its first referral source, it is already "
        "at that stage, Completed follows only Scheduled, a question of its service line "
        "is unanswered). The same request may succeed once the lead has changed."
    ),
)


def lead_for_request(request: Request, lead_id: int) -> Lead:
    """The lead the user may see or holds emergency access to (POST
    /api/v1/leads/<id>/emergency-access/), or 404 as if it did not exist."""
    try:
        return lead_get_with_emergency_access(user=request.user, lead_id=lead_id)[0]
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None


def lead_detail_response(request: Request, lead_id: int) -> Response:
    """The lead as LeadDetailSerializer shows it: what every lead write answers with.
    The read is in the access log (marked break-the-glass when opened that way)."""
    try:
        lead = lead_read_with_emergency_access(user=request.user, lead_id=lead_id, what="lead")
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    consents = consents_in_force(
        person_ids=[pk for pk in (lead.person_id, lead.caregiver_id) if pk is not None]
    )
    return Response(LeadDetailSerializer(lead, context={"consents": consents}).data)


def _referral_lead_detail(request: Request, lead_id: int) -> Response:
    try:
        row = lead_referral_rows_for_user(user=request.user).get(pk=lead_id)
    except Lead.DoesNotExist:
        raise Http404("No such lead.") from None
    names = lead_row_names(rows=[row])
    lead_rows_shown(user=request.user, rows=[row], what="lead (API, de-identified)")
    return Response(ReferralLeadSerializer(row, context={"names": names}).data)


class LeadListApi(generics.ListAPIView):
    """Leads the user may see, newest first, a cursor page at a time (no total count)."""

    serializer_class = LeadListSerializer
    filter_backends = [LeadFilterBackend]
    filterset_class = LeadFilter
    queryset = Lead.objects.none()  # tells the schema generator the model; never read

    def get_queryset(self):
        if user_sees_referrals_only(user=self.request.user):
            return lead_referral_rows_for_user(user=self.request.user)
        return lead_rows_for_user(user=self.request.user)

    @extend_schema(
        operation_id="leads_list",
        summary="List leads",
        description=("Liaisons get each lead de-identified: no names, phones, emails or messages."),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        names = lead_row_names(rows=rows)
        referral_level = user_sees_referrals_only(user=request.user)
        serializer_class = ReferralLeadSerializer if referral_level else LeadListSerializer
        lead_rows_shown(
            user=request.user,
            rows=rows,
            what="lead list (API, de-identified)" if referral_level else "lead list (API)",
        )
        data = serializer_class(rows, many=True, context={"names": names}).data
        return self.get_paginated_response(data)


class LeadDetailApi(APIView):
    """One lead with its people, consent, attribution and clock; PATCH edits it."""

    permission_classes = [ChangesLeads]

    @extend_schema(
        operation_id="leads_retrieve",
        summary="Get a lead",
        responses={200: LeadDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, lead_id: int) -> Response:
        if user_sees_referrals_only(user=request.user):
            return _referral_lead_detail(request, lead_id)
        return lead_detail_response(request, lead_id)

    @extend_schema(
        operation_id="leads_partial_update",
        summary="Edit a lead's descriptive fields",
        request=LeadUpdateSerializer,
        responses={200: LeadDetailSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request: Request, lead_id: int) -> Response:
        lead = lead_for_request(request, lead_id)
        serializer = LeadUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            lead_update(lead=lead, actor=request.user, **serializer.validated_data)
        return lead_detail_response(request, lead_id)


class LeadStageChangeApi(APIView):
    """Move a lead to another stage; the move is checked and recorded on its timeline."""

    permission_classes = [ReadsPatients]

    @extend_schema(
        operation_id="leads_stage_change",
        summary="Move a lead to another stage",
        request=LeadStageChangeSerializer,
        responses={200: LeadDetailSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, lead_id: int) -> Response:
        lead = lead_for_request(request, lead_id)
        serializer = LeadStageChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        with service_errors_as_400():
            lead_stage_change(lead=lead, to_stage=values.pop("stage"), actor=request.user, **values)
        return lead_detail_response(request, lead_id)


class TimelineCursorPagination(StrictCursorPagination):
    """Newest first along the activity_timeline_idx index."""

    ordering = ("-occurred_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LeadActivityListApi(generics.ListAPIView):
    """A lead's timeline (GET) and logging a call, message, note, task or meeting (POST)."""

    permission_classes = [ReadsPatients]

    serializer_class = ActivitySerializer
    pagination_class = TimelineCursorPagination
    filter_backends: list = []

    def get_queryset(self):
        try:
            lead = lead_read_with_emergency_access(
                user=self.request.user, lead_id=self.kwargs["lead_id"], what="timeline"
            )
        except Lead.DoesNotExist:
            raise Http404("No such lead.") from None
        return lead_timeline(lead=lead)

    @extend_schema(
        operation_id="leads_activities_list",
        summary="A lead's timeline",
        responses={200: ActivitySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="leads_activities_create",
        summary="Log an activity on a lead",
        request=ActivityCreateSerializer,
        responses={201: ActivitySerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, lead_id: int) -> Response:
        lead = lead_for_request(request, lead_id)
        serializer = ActivityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            activity = activity_log(lead=lead, actor=request.user, **serializer.validated_data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)
