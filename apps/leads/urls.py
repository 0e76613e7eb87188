"""Staff API routes for leads, under /api/v1/."""

from django.urls import path

from apps.leads import apis

urlpatterns = [
    path("leads/", apis.LeadListApi.as_view(), name="api-lead-list"),
    path("leads/<int:lead_id>/", apis.LeadDetailApi.as_view(), name="api-lead-detail"),
    path(
        "leads/<int:lead_id>/stage/",
        apis.LeadStageChangeApi.as_view(),
        name="api-lead-stage-change",
    ),
    path(
        "leads/<int:lead_id>/activities/",
        apis.LeadActivityListApi.as_view(),
        name="api-lead-activities",
    ),
]
