from django.urls import path

from apps.webhooks import apis

urlpatterns = [
    path("webhooks/endpoints/", apis.EndpointListCreate.as_view(), name="webhook-endpoints"),
    path(
        "webhooks/endpoints/<int:endpoint_id>/",
        apis.EndpointDetail.as_view(),
        name="webhook-endpoint",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>/deliveries/",
        apis.DeliveryList.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/resend/",
        apis.DeliveryResend.as_view(),
        name="webhook-delivery-resend",
    ),
]
