from django.urls import path

from apps.intake import views

app_name = "intake"

urlpatterns = [
    path("new/", views.new_inquiry, name="new_inquiry"),
]
