from django.urls import path

from apps.routing import member_views, views

app_name = "routing"

urlpatterns = [
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:rule_id>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/move/", views.rule_move, name="rule_move"),
    path("rules/<int:rule_id>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("leads/<int:lead_id>/", views.lead_routing, name="lead"),
    path("leads/<int:lead_id>/reroute/", views.lead_reroute, name="lead_reroute"),
    path("leads/<int:lead_id>/reassign/", views.lead_reassign, name="lead_reassign"),
    path("shift/", views.shift_toggle, name="shift_toggle"),
    path("members/", member_views.member_list, name="member_list"),
    path("members/<int:user_id>/", member_views.member_edit, name="member_edit"),
]
