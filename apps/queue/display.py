"""How times read on the queue and the lead page: "42:07 left", "3 h", "2 d 4 h".

One place for the format, shared by the template tags, the queue's rows and
static/js/countdown.js, which ticks the same text on in the browser.

The queue's rows are built here with format_html rather than in the template: a row has
some twenty-five values, and fifty rows through the template engine cost more CPU than
the rest of the page together (profiled on the 1M-lead benchmark).
"""

import datetime as dt
import html

from django.utils.safestring import SafeString, mark_safe

from apps.queue.selectors.keyset import KIND_TASK
from apps.queue.selectors.rows import QueueRow

LEAD_CLOCK = ("{} left", "Breached {} ago")
TASK_CLOCK = ("Due in {}", "Overdue {}")
# The queue's optional columns, in table order (the clock and the person always show).
QUEUE_COLUMNS = {
    "service_line": "Service line",
    "location": "Location",
    "lead_type": "Lead type",
    "channel": "Channel",
    "stage": "Stage",
    "age": "Age",
    "owner": "Owner",
}
QUEUE_COLUMNS_DEFAULT = ("service_line", "location", "lead_type", "channel", "stage", "age")
STATIC_CLOCK = {"answered": ("ok", "Answered"), "no_clock": ("", "No clock")}
URGENCY_BADGE = {"urgent": ("danger", "Urgent"), "soon": ("warn", "Soon")}


def span(seconds: int) -> str:
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def countdown_text(due: dt.datetime | None, now: dt.datetime, future: str, past: str) -> str:
    """`future` and `past` hold "{}" for the span: "42:07 left", "Breached 3:10 ago"."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    return (future if seconds > 0 else past).replace("{}", span(abs(seconds)))


def age_text(since: dt.datetime | None, now: dt.datetime) -> str:
    """How long ago, coarsely: "12 min", "5 h", "3 d"."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def queue_row_display(row: QueueRow, *, now: dt.datetime) -> None:
    """Set what a queue row prints: its clock (ticking, or a badge), its age, badges."""
    lead = row.lead
    if row.state in STATIC_CLOCK:
        row.clock_badge = STATIC_CLOCK[row.state]
    else:
        row.clock_future, row.clock_past = TASK_CLOCK if row.kind == KIND_TASK else LEAD_CLOCK
        row.clock_text = countdown_text(row.due_at, now, row.clock_future, row.clock_past)
    row.age_text = age_text(lead.created_at, now)
    badges = []
    if row.kind == KIND_TASK:
        badges.append(("task-badge", "Callback" if row.task_type == "callback" else "Follow-up"))
    if lead.urgency in URGENCY_BADGE:
        badges.append(URGENCY_BADGE[lead.urgency])
    if not lead.owner_id:
        badges.append(("", "Unclaimed"))
    row.badges = badges


def queue_row_html(row: QueueRow, *, columns: list[str], selectable: bool = False) -> SafeString:
    """One <tr> of the queue table (templates/queue/queue.html lays out the rest), with
    the optional `columns` chosen, and a checkbox for bulk actions when `selectable`.

    Every value goes through html.escape (quotes too): the standard library's, because
    Django's lazy-aware escaping is the slower part of fifty rows. Each cell carries its
    column's label, which the phone layout shows beside the value (a card per row).
    """
    lead = row.lead
    if row.clock_badge:
        css, label = row.clock_badge
        clock = f'<span class="badge {_e(css)}">{_e(label)}</span>'
    else:
        warn = f' data-warn="{_e(row.warn_iso)}"' if row.warn_at else ""
        clock = (
            f'<time class="countdown state-{_e(row.state)}" datetime="{_e(row.due_iso)}"'
            f' data-due="{_e(row.due_iso)}"{warn} data-future="{_e(row.clock_future)}"'
            f' data-past="{_e(row.clock_past)}">{_e(row.clock_text)}</time>'
        )
    badges = "".join(
        f' <span class="badge {_e(css)}">{_e(label)}</span>' for css, label in row.badges
    )
    values = {
        "service_line": lead.service_line,
        "location": lead.location or "—",
        "lead_type": lead.lead_type,
        "channel": lead.channel,
        "stage": lead.stage,
        "age": row.age_text,
        "owner": lead.owner_name or "—",
    }
    cells = "".join(
        f'<td class="col-{name}" data-label="{QUEUE_COLUMNS[name]}">{_e(values[name])}</td>'
        for name in columns
    )
    dom_id = _e(row.dom_id)
    name = _e(lead.person_name or "(no name)")
    pick = ""
    if selectable:
        pick = (
            f'<td class="queue-pick"><input type="checkbox" class="queue-pick-box" name="lead"'
            f' value="{lead.pk}" form="queue-bulk" id="pick-{dom_id}"'
            f' aria-label="Select {name}"></td>'
        )
    task = " row-task" if row.is_task else ""
    return mark_safe(  # noqa: S308 - every interpolated value above is escaped
        f'<tr id="{dom_id}" class="queue-row row-{_e(row.state)}{task}" data-lead-id="{lead.pk}">'
        f'{pick}<td class="queue-clock">{clock}</td>'
        f'<td class="queue-person"><a class="row-link" id="link-{dom_id}" href="{_e(lead.url)}">'
        f"{name}</a>{badges}</td>{cells}</tr>"
    )


def _e(value) -> str:
    return html.escape(str(value), quote=True)
