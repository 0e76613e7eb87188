"""Keyset paging of the queue: the cursor, and each stream's "after the cursor" part.

The queue's order is (section, due time, kind, id); a cursor is the last row of a page.
Each stream is ordered by (due time NULLS LAST, id) like the index it reads, so "after
the cursor" becomes a condition on that stream's own columns.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils.dateparse import parse_datetime

# Sections, in the order a coordinator works them: urgent leads whose response clock
# runs (0); other leads whose clock runs and my tasks due today (1); my follow-ups left
# overdue from earlier days (2), which once buried a new urgent lead at row 24; then
# leads already answered (3).
SECTION_URGENT = 0
SECTION_CLOCK_RUNNING = 1
SECTION_OLD_TASKS = 2
SECTION_ANSWERED = 3
# Within a due time, leads before tasks.
KIND_LEAD = 0
KIND_TASK = 1


@dataclass(frozen=True)
class QueueCursor:
    """Where the next page starts: just after this row in queue order."""

    section: int
    key: dt.datetime | None
    kind: int
    row_id: int

    def encode(self) -> str:
        key = self.key.isoformat() if self.key else ""
        raw = f"{self.section}|{key}|{self.kind}|{self.row_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "QueueCursor | None":
        """The cursor in a token, or None for a token that is not one (first page)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            section, key, kind, row_id = raw.split("|")
            parsed_key = parse_datetime(key) if key else None
            if key and parsed_key is None:
                return None
            return cls(int(section), parsed_key, int(kind), int(row_id))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


def keyset_after(*, cursor: QueueCursor | None, section: int, kind: int, key: str, nullable: bool):
    """The keyset condition for one stream, or None when the stream is wholly before the
    cursor (skip it). Streams are ordered by (key NULLS LAST, id) like their index."""
    if cursor is None or section > cursor.section:
        return Q()
    if section < cursor.section:
        return None
    # Same section: rows after (cursor.key, cursor.kind, cursor.row_id).
    if kind > cursor.kind:
        same_key = Q(**{key: cursor.key}) if cursor.key else Q(**{f"{key}__isnull": True})
    elif kind < cursor.kind:
        same_key = Q(pk__in=[])
    else:
        same_key = (
            Q(**{key: cursor.key}, pk__gt=cursor.row_id)
            if cursor.key
            else Q(**{f"{key}__isnull": True}, pk__gt=cursor.row_id)
        )
    if cursor.key is None:
        return same_key
    later = Q(**{f"{key}__gt": cursor.key})
    if nullable:
        later |= Q(**{f"{key}__isnull": True})
    return later | same_key


def queue_stream(
    queryset, *, section: int, kind: int, key: str, lead: str, limit: int, cursor, nullable=False
):
    """One stream of the queue as rows (section, key, kind, id, lead id, task type), cut
    at `limit` after the cursor; None when the whole stream lies before the cursor."""
    after = keyset_after(cursor=cursor, section=section, kind=kind, key=key, nullable=nullable)
    if after is None:
        return None
    task_type = (
        KeyTextTransform("task_type", "details")
        if kind == KIND_TASK
        else Value("", output_field=CharField())
    )
    return (
        queryset.filter(after)
        .annotate(
            q_section=Value(section, output_field=IntegerField()),
            q_key=F(key),
            q_kind=Value(kind, output_field=IntegerField()),
            q_id=F("pk"),
            q_lead=F(lead),
            q_task_type=task_type,
        )
        .values_list("q_section", "q_key", "q_kind", "q_id", "q_lead", "q_task_type")
        .order_by(F(key).asc(nulls_last=True), "pk")[:limit]
    )
