"""/api/v1/: the intake contract and the staff API, gathered from each app."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.intake.urls")),
    path("", include("apps.leads.urls")),
]
