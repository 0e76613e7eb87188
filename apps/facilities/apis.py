"""Staff API for locations (read only; a handful of rows, so not paginated)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.facilities.models import Location
from apps.facilities.selectors import location_get_by_slug, location_list
from apps.facilities.serializers import LocationDetailSerializer, LocationSerializer


class LocationListApi(generics.ListAPIView):
    serializer_class = LocationSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return location_list()

    @extend_schema(operation_id="locations_list", summary="List locations")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class LocationDetailApi(APIView):
    @extend_schema(
        operation_id="locations_retrieve",
        summary="Get a location with its hours and upcoming holidays",
        responses={
            200: LocationDetailSerializer,
            404: OpenApiResponse(description="No such slug."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        try:
            location = location_get_by_slug(slug=slug)
        except Location.DoesNotExist:
            raise Http404("No such location.") from None
        return Response(LocationDetailSerializer(location).data)
