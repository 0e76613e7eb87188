"""Staff API routes for locations, under /api/v1/."""

from django.urls import path

from apps.facilities import apis

urlpatterns = [
    path("locations/", apis.LocationListApi.as_view(), name="api-location-list"),
    path("locations/<slug:slug>/", apis.LocationDetailApi.as_view(), name="api-location-detail"),
]
