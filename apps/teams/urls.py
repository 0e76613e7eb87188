"""Staff API routes for teams, under /api/v1/."""

from django.urls import path

from apps.teams import apis

urlpatterns = [
    path("teams/", apis.TeamListApi.as_view(), name="api-team-list"),
    path("teams/<int:team_id>/", apis.TeamDetailApi.as_view(), name="api-team-detail"),
]
