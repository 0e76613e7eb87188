"""Forms of the queue and the lead page. They parse and check input; services decide."""

from apps.queue.forms.bulk import (
    BulkAction,
    BulkActionForm,
    SavedViewForm,
    SavedViewRenameForm,
)
from apps.queue.forms.emergency import EmergencyAccessForm
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
    "BulkAction",
    "BulkActionForm",
    "CallLogForm",
    "EmergencyAccessForm",
    "MessageLogForm",
    "NoteForm",
    "PersonContactForm",
    "QueueFilterForm",
    "ReassignForm",
    "SavedViewForm",
    "SavedViewRenameForm",
    "StageChangeForm",
    "TaskForm",
    "TaskType",
]
