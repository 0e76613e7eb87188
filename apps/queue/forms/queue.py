"""The queue's filters and search box."""

from django import forms

from apps.leads.choices import Channel, LeadType, Urgency
from apps.queue.display import QUEUE_COLUMNS, QUEUE_COLUMNS_DEFAULT
from apps.queue.forms.base import blank_choice
from apps.queue.models import QUEUE_FILTER_NAMES
from apps.queue.selectors import QueueCursor, QueueFilters, QueueSort, Scope


class QueueFilterForm(forms.Form):
    """The queue's filters and search box. Ids are checked as numbers only: an id that
    matches nothing simply filters to nothing, and no query is spent validating it."""

    scope = forms.ChoiceField(label="Show", required=False)
    service_line = forms.IntegerField(label="Service line", required=False, min_value=1)
    location = forms.IntegerField(label="Location", required=False, min_value=1)
    stage = forms.IntegerField(label="Stage", required=False, min_value=1)
    urgency = forms.ChoiceField(
        label="Urgency", required=False, choices=blank_choice("Any urgency") + Urgency.choices
    )
    lead_type = forms.ChoiceField(
        label="Lead type", required=False, choices=blank_choice("Any lead type") + LeadType.choices
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=blank_choice("Any channel") + Channel.choices
    )
    sort = forms.ChoiceField(label="Order", required=False, choices=list(QueueSort.LABELS.items()))
    columns = forms.MultipleChoiceField(
        label="Columns",
        required=False,
        choices=list(QUEUE_COLUMNS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(label="Search name, email or phone", required=False, max_length=100)
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The newest waiting lead the coordinator has seen: later ones are announced.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    # Query-string names that may appear in a URL (never `q`): the filters and the layout.
    URL_FIELDS = (*QUEUE_FILTER_NAMES, "sort", "columns")

    def __init__(self, *args, scopes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = list(scopes.items())

    def _valid_values(self) -> dict:
        # One bad value (a stale bookmark, a scope no longer offered) drops that filter
        # alone, not every filter: cleaned_data keeps the fields that were valid.
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def filters(self) -> QueueFilters:
        data = self._valid_values()
        scopes = dict(self.fields["scope"].choices)
        scope = data.get("scope") or (Scope.ALL if Scope.ALL in scopes else next(iter(scopes)))
        return QueueFilters(
            scope=scope,
            service_line_id=data.get("service_line"),
            location_id=data.get("location"),
            stage_id=data.get("stage"),
            urgency=data.get("urgency", ""),
            lead_type=data.get("lead_type", ""),
            channel=data.get("channel", ""),
            query=(data.get("q") or "").strip(),
            sort=data.get("sort") or QueueSort.CLOCK,
        )

    def columns_shown(self, *, scope: str) -> list[str]:
        """The optional columns to show, in the table's order. None ticked: the usual
        ones (and the owner when the whole team's leads show), so a queue never loses
        all its columns."""
        chosen = set(self._valid_values().get("columns") or ())
        if chosen:
            return [name for name in QUEUE_COLUMNS if name in chosen]
        return list(QUEUE_COLUMNS_DEFAULT) + (["owner"] if scope == Scope.TEAMS else [])

    def cursor(self) -> QueueCursor | None:
        token = self._valid_values().get("after")
        return QueueCursor.decode(token) if token else None

    def seen_lead_id(self) -> int | None:
        return self._valid_values().get("seen")

    def url_params(self) -> dict[str, str | list[str]]:
        """The filters that are safe in a URL (ids and codes), without empty ones; what a
        saved view stores. Columns are a list (urlencode with doseq)."""
        data = self._valid_values()
        params: dict[str, str | list[str]] = {
            name: str(data[name])
            for name in self.URL_FIELDS
            if name != "columns" and data.get(name) not in (None, "", [])
        }
        if data.get("columns"):
            params["columns"] = list(data["columns"])
        return params
