"""Writes of the queue's own things: saved views, and bulk actions (which go through the
services of the single actions)."""

from apps.queue.services.bulk import (
    BulkOutcome,
    leads_bulk_enroll,
    leads_bulk_reassign,
    leads_bulk_stage_change,
)
from apps.queue.services.saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_rename,
)

__all__ = [
    "BulkOutcome",
    "leads_bulk_enroll",
    "leads_bulk_reassign",
    "leads_bulk_stage_change",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_rename",
]
