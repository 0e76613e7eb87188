from django.urls import path

from apps.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint_list"),
    path("new/", views.endpoint_create, name="endpoint_create"),
    path("<int:endpoint_id>/", views.endpoint_detail, name="endpoint_detail"),
    path("<int:endpoint_id>/toggle/", views.endpoint_toggle, name="endpoint_toggle"),
    path("deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="delivery_resend"),
]
