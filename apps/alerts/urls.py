from django.urls import path

from apps.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("badge/", views.alert_badge, name="badge"),
    path("read-all/", views.alert_read_all, name="read_all"),
    path("<int:alert_id>/read/", views.alert_read, name="read"),
]
