"""/api/v1/: the intake contract and the staff API, gathered from each app."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.intake.urls")),
    path("", include("apps.leads.urls")),
    path("", include("apps.routing.api_urls")),
    path("", include("apps.privacy.api_urls")),
    path("", include("apps.people.urls")),
    path("", include("apps.referral_sources.urls")),
    path("", include("apps.servicelines.urls")),
    path("", include("apps.facilities.urls")),
    path("", include("apps.pipeline.urls")),
    path("", include("apps.teams.urls")),
    path("", include("apps.webhooks.api_urls")),
]
