"""Staff API routes of routing, under /api/v1/."""

from django.urls import path

from apps.routing import apis

urlpatterns = [
    path("leads/<int:lead_id>/assign/", apis.LeadAssignApi.as_view(), name="api-lead-assign"),
]
