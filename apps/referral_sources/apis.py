"""Staff API for referral sources: list, detail, create and edit.

Every member of staff reads them; liaisons, managers and admins add them; managers and
admins edit any, a liaison the ones they own.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import service_errors_as_400
from apps.core.pagination import NameCursorPagination
from apps.referral_sources.filters import ReferralSourceFilter
from apps.referral_sources.models import ReferralSource
from apps.referral_sources.selectors import (
    referral_source_get,
    referral_source_list,
    referral_source_user_can_create,
    referral_source_user_can_edit,
)
from apps.referral_sources.serializers import (
    ReferralSourceDetailSerializer,
    ReferralSourceListSerializer,
    ReferralSourceWriteSerializer,
)
from apps.referral_sources.services import referral_source_create, referral_source_update

FIELD_ERRORS = OpenApiResponse(
    description="Field-level errors, e.g. {'npi': ['Referral source #12 ... has this NPI']}."
)
NOT_FOUND = OpenApiResponse(description="No such referral source.")


def _source_for(source_id: int) -> ReferralSource:
    try:
        return referral_source_get(source_id=source_id)
    except ReferralSource.DoesNotExist:
        raise Http404("No such referral source.") from None


class ReferralSourceListApi(generics.ListAPIView):
    """Referral sources by name; POST adds one."""

    serializer_class = ReferralSourceListSerializer
    filterset_class = ReferralSourceFilter
    pagination_class = NameCursorPagination

    def get_queryset(self):
        return referral_source_list()

    @extend_schema(operation_id="referral_sources_list", summary="List referral sources")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="referral_sources_create",
        summary="Add a referral source",
        request=ReferralSourceWriteSerializer,
        responses={201: ReferralSourceDetailSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        if not referral_source_user_can_create(user=request.user):
            raise PermissionDenied("Liaisons, managers and admins add referral sources.")
        serializer = ReferralSourceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            source = referral_source_create(actor=request.user, **serializer.validated_data)
        return Response(
            ReferralSourceDetailSerializer(_source_for(source.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ReferralSourceDetailApi(APIView):
    """One referral source; PATCH edits it."""

    @extend_schema(
        operation_id="referral_sources_retrieve",
        summary="Get a referral source",
        responses={200: ReferralSourceDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, source_id: int) -> Response:
        return Response(ReferralSourceDetailSerializer(_source_for(source_id)).data)

    @extend_schema(
        operation_id="referral_sources_partial_update",
        summary="Edit a referral source",
        request=ReferralSourceWriteSerializer,
        responses={200: ReferralSourceDetailSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def patch(self, request: Request, source_id: int) -> Response:
        source = _source_for(source_id)
        if not referral_source_user_can_edit(user=request.user, source=source):
            raise PermissionDenied("Managers, admins and the owning liaison edit this source.")
        serializer = ReferralSourceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            referral_source_update(source=source, actor=request.user, **serializer.validated_data)
        return Response(ReferralSourceDetailSerializer(_source_for(source_id)).data)
