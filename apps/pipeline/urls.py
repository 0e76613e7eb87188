"""Staff API routes for pipeline stages, under /api/v1/."""

from django.urls import path

from apps.pipeline import apis

urlpatterns = [
    path("stages/", apis.StageListApi.as_view(), name="api-stage-list"),
    path("stages/<slug:slug>/", apis.StageDetailApi.as_view(), name="api-stage-detail"),
]
