from django.urls import path

from apps.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite, name="invite"),
    path("<int:user_id>/", views.staff_detail, name="detail"),
    path("<int:user_id>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", views.staff_reactivate, name="reactivate"),
    path("<int:user_id>/unlock/", views.staff_unlock, name="unlock"),
    path("<int:user_id>/reset-mfa/", views.staff_mfa_reset, name="reset_mfa"),
]
