"""/dashboards/: the manager dashboards, their panels, CSV exports and drill-down lists."""

from django.urls import path

from apps.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("leads/", views.dashboard_leads, name="leads"),
    path("<slug:panel>/", views.dashboard_panel, name="panel"),
    path("<slug:panel>/export/<slug:table>.csv", views.dashboard_export, name="export"),
]
