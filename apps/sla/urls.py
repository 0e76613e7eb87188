from django.urls import path

from apps.sla import views

app_name = "sla"
urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
]
