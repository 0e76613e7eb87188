"""Forms of the queue and the lead page. They parse and check input; services decide."""

from apps.queue.forms.queue import QueueFilterForm
from apps.queue.forms.quick_actions import (
    CallLogForm,
    MessageLogForm,
    NoteForm,
    PersonContactForm,
    ReassignForm,
    TaskForm,
    TaskType,
)
from apps.queue.forms.stage import StageChangeForm

__all__ = [
    "CallLogForm",
    "MessageLogForm",
    "NoteForm",
    "PersonContactForm",
    "QueueFilterForm",
    "ReassignForm",
    "StageChangeForm",
    "TaskForm",
    "TaskType",
]
