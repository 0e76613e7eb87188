from django.urls import path

from apps.sla import views

app_name = "sla"
urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
    path(
        "service-lines/<int:service_line_id>/",
        views.service_line_targets_edit,
        name="service_line_targets",
    ),
]
