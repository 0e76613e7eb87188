from django.urls import path

from apps.nurture import views

app_name = "nurture"
urlpatterns = [
    path("", views.track_list, name="track_list"),
    path("tracks/new/", views.track_create, name="track_create"),
    path("tracks/<int:track_id>/", views.track_edit, name="track_edit"),
    path("tracks/<int:track_id>/toggle/", views.track_toggle, name="track_toggle"),
    path("tracks/step-row/", views.step_form_row, name="step_row"),
    path("tracks/step-preview/", views.step_preview, name="step_preview"),
    path("tracks/step-test/", views.step_test_send, name="step_test_send"),
    path("failed/", views.failed_sends, name="failed_sends"),
    path("failed/<int:send_id>/retry/", views.send_retry, name="send_retry"),
    path("leads/<int:lead_id>/", views.lead_nurture, name="lead"),
    path("leads/<int:lead_id>/enroll/", views.lead_enroll, name="lead_enroll"),
    path("enrollments/<int:enrollment_id>/stop/", views.enrollment_stop, name="enrollment_stop"),
    # The token is a signed send id: no email address or name in the address.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
