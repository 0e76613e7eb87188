"""Staff API for intake teams (read only; a handful of rows, so not paginated)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.teams.models import Team
from apps.teams.selectors import team_get, team_list
from apps.teams.serializers import TeamSerializer


class TeamListApi(generics.ListAPIView):
    """Every team with its lead, members and the service lines and locations it covers."""

    serializer_class = TeamSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return team_list()

    @extend_schema(operation_id="teams_list", summary="List teams")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class TeamDetailApi(APIView):
    @extend_schema(
        operation_id="teams_retrieve",
        summary="Get a team",
        responses={200: TeamSerializer, 404: OpenApiResponse(description="No such team.")},
    )
    def get(self, request: Request, team_id: int) -> Response:
        try:
            team = team_get(team_id=team_id)
        except Team.DoesNotExist:
            raise Http404("No such team.") from None
        return Response(TeamSerializer(team).data)
