"""The coordinator's screens: /queue/ and /leads/<id>/ with its quick actions."""

from django.urls import path

from apps.queue import views

app_name = "queue"

urlpatterns = [
    path("queue/", views.queue_index, name="index"),
    path("queue/bulk/", views.queue_bulk, name="bulk"),
    path("queue/views/", views.queue_view_create, name="view_create"),
    path("queue/views/<int:view_id>/rename/", views.queue_view_rename, name="view_rename"),
    path("queue/views/<int:view_id>/delete/", views.queue_view_delete, name="view_delete"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead"),
    path("leads/<int:lead_id>/history/", views.lead_history, name="lead_history"),
    path("leads/<int:lead_id>/call/", views.lead_call_log, name="lead_call"),
    path("leads/<int:lead_id>/message/", views.lead_message_log, name="lead_message"),
    path("leads/<int:lead_id>/note/", views.lead_note_add, name="lead_note"),
    path("leads/<int:lead_id>/person/", views.lead_person_edit, name="lead_person"),
    path("leads/<int:lead_id>/task/", views.lead_task_add, name="lead_task"),
    path(
        "leads/<int:lead_id>/tasks/<int:task_id>/done/",
        views.lead_task_done,
        name="lead_task_done",
    ),
    path(
        "leads/<int:lead_id>/activities/<int:activity_id>/strike/",
        views.lead_activity_strike,
        name="lead_activity_strike",
    ),
    path("leads/<int:lead_id>/claim/", views.lead_claim_view, name="lead_claim"),
    path(
        "leads/<int:lead_id>/emergency-access/",
        views.lead_emergency_access,
        name="lead_emergency_access",
    ),
    path("leads/<int:lead_id>/reassign/", views.lead_reassign_view, name="lead_reassign"),
    path("leads/<int:lead_id>/stage/", views.lead_stage, name="lead_stage"),
    path("leads/<int:lead_id>/merge/", views.lead_merge_view, name="lead_merge"),
    path(
        "leads/<int:lead_id>/merges/<int:merge_id>/undo/",
        views.lead_merge_undo_view,
        name="lead_merge_undo",
    ),
]
