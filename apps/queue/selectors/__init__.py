"""Reads of the coordinator's screens, always scoped to the asking user.

- queue: the work queue, one keyset page at a time (queue.py, with keyset.py for paging
  and rows.py for what a row shows);
- lead_page: everything the lead page shows, in a fixed number of queries.
"""

from apps.queue.selectors.keyset import KIND_LEAD, KIND_TASK, QueueCursor
from apps.queue.selectors.queue import (
    PAGE_SIZE,
    Arrivals,
    QueueFilters,
    QueueSort,
    Scope,
    queue_arrivals,
    queue_page,
    queue_scopes,
    queue_team_ids,
    working_stages,
)
from apps.queue.selectors.rows import QueueLead, QueuePage, QueueRow, lead_clock_state

__all__ = [
    "KIND_LEAD",
    "KIND_TASK",
    "PAGE_SIZE",
    "Arrivals",
    "QueueCursor",
    "QueueFilters",
    "QueueLead",
    "QueuePage",
    "QueueRow",
    "QueueSort",
    "Scope",
    "lead_clock_state",
    "queue_arrivals",
    "queue_page",
    "queue_scopes",
    "queue_team_ids",
    "working_stages",
]
