from django.urls import path

from apps.intake import key_views

app_name = "intake_keys"

urlpatterns = [
    path("", key_views.key_list, name="list"),
    path("<int:key_id>/revoke/", key_views.key_revoke, name="revoke"),
]
