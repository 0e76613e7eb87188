"""Staff API for service lines (read only; a handful of rows, so not paginated)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.servicelines.models import ServiceLine
from apps.servicelines.selectors import service_line_get_by_slug, service_line_list
from apps.servicelines.serializers import ServiceLineSerializer


class ServiceLineListApi(generics.ListAPIView):
    """Every service line with its qualification questions and response targets."""

    serializer_class = ServiceLineSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return service_line_list()

    @extend_schema(operation_id="service_lines_list", summary="List service lines")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ServiceLineDetailApi(APIView):
    @extend_schema(
        operation_id="service_lines_retrieve",
        summary="Get a service line",
        responses={200: ServiceLineSerializer, 404: OpenApiResponse(description="No such slug.")},
    )
    def get(self, request: Request, slug: str) -> Response:
        try:
            service_line = service_line_get_by_slug(slug=slug)
        except ServiceLine.DoesNotExist:
            raise Http404("No such service line.") from None
        return Response(ServiceLineSerializer(service_line).data)
