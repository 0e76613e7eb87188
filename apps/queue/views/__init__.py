"""The queue (views/queue.py) and the lead page (views/lead.py). Each view parses input,
calls one selector or service, and renders; one URL serves the whole page or, to htmx,
the fragment it swaps.

No personal data ever goes in a URL: filters travel as ids and codes, a search box is
posted, and lead pages are addressed by id only.
"""

from apps.queue.views.bulk import queue_bulk
from apps.queue.views.lead import (
    lead_activity_strike,
    lead_call_log,
    lead_claim_view,
    lead_detail,
    lead_emergency_access,
    lead_history,
    lead_merge_undo_view,
    lead_merge_view,
    lead_message_log,
    lead_note_add,
    lead_reassign_view,
    lead_stage,
    lead_task_add,
    lead_task_done,
)
from apps.queue.views.person import lead_person_edit
from apps.queue.views.queue import queue_index
from apps.queue.views.saved_views import queue_view_create, queue_view_delete, queue_view_rename

__all__ = [
    "lead_activity_strike",
    "lead_call_log",
    "lead_claim_view",
    "lead_detail",
    "lead_emergency_access",
    "lead_history",
    "lead_merge_undo_view",
    "lead_merge_view",
    "lead_message_log",
    "lead_note_add",
    "lead_person_edit",
    "lead_reassign_view",
    "lead_stage",
    "lead_task_add",
    "lead_task_done",
    "queue_bulk",
    "queue_index",
    "queue_view_create",
    "queue_view_delete",
    "queue_view_rename",
]
