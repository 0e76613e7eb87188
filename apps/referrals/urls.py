from django.urls import path

from apps.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("plan/", views.plan, name="plan"),
    path("import/", views.source_import, name="import"),
    path("health/classify/", views.health_classify, name="health_classify"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/follow-up/done/", views.follow_up_done, name="follow_up_done"),
    path("visits/<int:visit_id>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:visit_id>/delete/", views.visit_delete, name="visit_delete"),
    path("leads/<int:lead_id>/", views.lead_referral, name="lead_referral"),
    path("<int:source_id>/", views.profile, name="profile"),
    path("<int:source_id>/edit/", views.source_edit, name="source_edit"),
]
