from django.urls import path

from apps.privacy import views

app_name = "privacy"
urlpatterns = [
    path("patient/", views.patient_access, name="patient_access"),
    path("user/", views.user_access, name="user_access"),
    path("patterns/", views.unusual_patterns, name="unusual_patterns"),
    path("emergency/", views.emergency_review_list, name="emergency_review_list"),
    path("emergency/<int:access_id>/review/", views.emergency_review, name="emergency_review"),
]
