from django.urls import path

from apps.fhir import apis, views

app_name = "fhir"

urlpatterns = [
    path("r4/", apis.TransactionApi.as_view(), name="transaction"),
    path("r4/metadata", apis.metadata, name="metadata"),
    path("r4/openapi.json", apis.openapi, name="openapi"),
    path("r4/auth/token", apis.token, name="token"),
    path(
        "r4/ServiceRequest", apis.ServiceRequestCreateApi.as_view(), name="service_request_create"
    ),
    path(
        "r4/ServiceRequest/<str:resource_id>",
        apis.ReadApi.as_view(kind="ServiceRequest"),
        name="service_request",
    ),
    path("r4/Task/<str:resource_id>", apis.ReadApi.as_view(kind="Task"), name="task"),
    path("r4/Task", apis.TaskSearchApi.as_view(), name="task_search"),
    path("r4/Patient/<str:resource_id>", apis.ReadApi.as_view(kind="Patient"), name="patient"),
    # Managers: sending systems and the code -> service line mapping.
    path("clients/", views.client_list, name="client_list"),
    path("codes/", views.code_list, name="code_list"),
    path("codes/<int:code_id>/delete/", views.code_delete, name="code_delete"),
]
