"""Staff API routes for service lines, under /api/v1/."""

from django.urls import path

from apps.servicelines import apis

urlpatterns = [
    path("service-lines/", apis.ServiceLineListApi.as_view(), name="api-service-line-list"),
    path(
        "service-lines/<slug:slug>/",
        apis.ServiceLineDetailApi.as_view(),
        name="api-service-line-detail",
    ),
]
