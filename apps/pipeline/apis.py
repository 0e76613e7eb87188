"""Staff API for pipeline stages (read only, in pipeline order, not paginated)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.pipeline.selectors import stage_get_by_slug, stage_list
from apps.pipeline.serializers import StageSerializer


class StageListApi(APIView):
    """The stages in use, in pipeline order."""

    @extend_schema(
        operation_id="stages_list",
        summary="List stages",
        responses={200: StageSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(StageSerializer(stage_list(), many=True).data)


class StageDetailApi(APIView):
    @extend_schema(
        operation_id="stages_retrieve",
        summary="Get a stage",
        responses={200: StageSerializer, 404: OpenApiResponse(description="No such slug.")},
    )
    def get(self, request: Request, slug: str) -> Response:
        try:
            stage = stage_get_by_slug(slug)
        except KeyError:
            raise Http404("No such stage.") from None
        return Response(StageSerializer(stage).data)
