"""Staff API routes of privacy, under /api/v1/."""

from django.urls import path

from apps.privacy import apis

urlpatterns = [
    path(
        "leads/<int:lead_id>/emergency-access/",
        apis.LeadEmergencyAccessApi.as_view(),
        name="api-lead-emergency-access",
    ),
]
