"""The queue's filters and search box."""

from django import forms

from apps.leads.choices import Channel, LeadType, Urgency
from apps.queue.forms.base import blank_choice
from apps.queue.selectors import QueueCursor, QueueFilters, Scope


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
    q = forms.CharField(label="Search name, email or phone", required=False, max_length=100)
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The newest waiting lead the coordinator has seen: later ones are announced.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    # Query-string names of the filters that may appear in a URL (never `q`).
    URL_FIELDS = ("scope", "service_line", "location", "stage", "urgency", "lead_type", "channel")

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
        )

    def cursor(self) -> QueueCursor | None:
        token = self._valid_values().get("after")
        return QueueCursor.decode(token) if token else None

    def seen_lead_id(self) -> int | None:
        return self._valid_values().get("seen")

    def url_params(self) -> dict[str, str]:
        """The filters that are safe in a URL (ids and codes), without empty ones."""
        data = self._valid_values()
        return {
            name: str(data[name]) for name in self.URL_FIELDS if data.get(name) not in (None, "")
        }
