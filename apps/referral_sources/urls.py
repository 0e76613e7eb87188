"""Staff API routes for referral sources, under /api/v1/."""

from django.urls import path

from apps.referral_sources import apis

urlpatterns = [
    path(
        "referral-sources/", apis.ReferralSourceListApi.as_view(), name="api-referral-source-list"
    ),
    path(
        "referral-sources/<int:source_id>/",
        apis.ReferralSourceDetailApi.as_view(),
        name="api-referral-source-detail",
    ),
]
