"""Forms of the queue and the lead page. They parse and check input; services decide."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from apps.leads.choices import Channel, LeadType, LostReason, Outcome, Urgency
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import StageKind
from apps.queue.selectors import QueueCursor, QueueFilters, Scope
from apps.servicelines.models import QualificationQuestion

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class AccessibleForm(forms.Form):
    """Marks invalid controls for screen readers and ties each to its error message.

    `rows` lays the fields out (names side by side in one tuple share a row); the lead
    page renders a form through templates/queue/_quick_fields.html in that order.
    """

    rows: tuple[tuple[str, ...], ...] = ()

    def layout(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in row] for row in self.rows]

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class QueueFilterForm(forms.Form):
    """The queue's filters and search box. Ids are checked as numbers only: an id that
    matches nothing simply filters to nothing, and no query is spent validating it."""

    scope = forms.ChoiceField(label="Show", required=False)
    service_line = forms.IntegerField(label="Service line", required=False, min_value=1)
    location = forms.IntegerField(label="Location", required=False, min_value=1)
    stage = forms.IntegerField(label="Stage", required=False, min_value=1)
    urgency = forms.ChoiceField(
        label="Urgency", required=False, choices=_blank("Any urgency") + Urgency.choices
    )
    lead_type = forms.ChoiceField(
        label="Lead type", required=False, choices=_blank("Any lead type") + LeadType.choices
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=_blank("Any channel") + Channel.choices
    )
    q = forms.CharField(label="Search name, email or phone", required=False, max_length=100)
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

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

    def url_params(self) -> dict[str, str]:
        """The filters that are safe in a URL (ids and codes), without empty ones."""
        data = self._valid_values()
        return {
            name: str(data[name]) for name in self.URL_FIELDS if data.get(name) not in (None, "")
        }


class CallLogForm(AccessibleForm):
    rows = (("direction",), ("outcome",), ("duration_minutes", "occurred_at"), ("note",))

    direction = forms.ChoiceField(
        label="Direction",
        choices=[("outbound", "I called them"), ("inbound", "They called")],
        initial="outbound",
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=_blank("Choose the outcome")
        + [
            (choice.value, choice.label)
            for choice in (
                Outcome.REACHED,
                Outcome.LEFT_VOICEMAIL,
                Outcome.NO_ANSWER,
                Outcome.BUSY,
                Outcome.WRONG_NUMBER,
            )
        ],
        error_messages={"required": "Choose how the call went."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", required=False, min_value=0, max_value=600
    )
    occurred_at = forms.DateTimeField(
        label="When (leave empty for now)",
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput,
    )
    note = forms.CharField(
        label="Note", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MessageLogForm(AccessibleForm):
    rows = (("kind",), ("occurred_at",), ("note",))

    kind = forms.ChoiceField(
        label="Sent by",
        choices=[("email", "Email"), ("sms", "SMS")],
        initial="email",
        widget=forms.RadioSelect,
    )
    occurred_at = forms.DateTimeField(
        label="When (leave empty for now)",
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput,
    )
    note = forms.CharField(
        label="What was sent",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(AccessibleForm):
    rows = (("body",),)

    body = forms.CharField(
        label="Note",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
    )


class TaskType:
    FOLLOW_UP = "follow_up"
    CALLBACK = "callback"
    LABELS = {FOLLOW_UP: "Follow-up", CALLBACK: "Callback"}


class TaskForm(AccessibleForm):
    rows = (("task_type",), ("due_at",), ("note",))

    task_type = forms.ChoiceField(
        label="Kind of task",
        choices=list(TaskType.LABELS.items()),
        initial=TaskType.FOLLOW_UP,
        widget=forms.RadioSelect,
    )
    due_at = forms.DateTimeField(
        label="Due",
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput,
        error_messages={"required": "Give the due date and time."},
    )
    note = forms.CharField(
        label="What to do",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at < timezone.now() - dt.timedelta(minutes=5):
            raise forms.ValidationError("The due time is in the past.")
        return due_at


class ReassignForm(AccessibleForm):
    """A manager gives the lead to a team, and to someone in it or its queue."""

    team = forms.TypedChoiceField(label="Team", coerce=int)
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        error_messages={"required": "Say why the lead is reassigned."},
    )

    def __init__(self, *args, memberships, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        self.members_by_team: dict[int, set[int]] = {}
        users = {}
        for membership in memberships:
            self.members_by_team.setdefault(membership.team_id, set()).add(membership.user_id)
            users[membership.user_id] = membership.user
        self.users = users
        self.fields["team"].choices = _blank("Choose a team") + [
            (team.pk, team.name) for team in teams
        ]
        self.fields["owner"].choices = _blank("Nobody: the team's queue") + [
            (
                team.name,
                [
                    (user_id, users[user_id].display_name)
                    for user_id in sorted(
                        self.members_by_team.get(team.pk, ()),
                        key=lambda pk: users[pk].display_name,
                    )
                ],
            )
            for team in teams
            if self.members_by_team.get(team.pk)
        ]

    def clean(self):
        cleaned = super().clean()
        team_id, owner_id = cleaned.get("team"), cleaned.get("owner")
        if team_id and owner_id and owner_id not in self.members_by_team.get(team_id, set()):
            self.add_error(
                "owner",
                f"{self.users[owner_id].display_name} is not in {self.teams[team_id].name}.",
            )
        return cleaned


YES_NO_CHOICES = [("", "Choose"), ("yes", "Yes"), ("no", "No")]


class StageChangeForm(AccessibleForm):
    """Move the lead to another stage, asking what that stage needs: the service line's
    qualification questions, the appointment, a lost reason, a re-contact date, or why a
    closed lead is reopened. Which fields exist depends on the stage chosen."""

    to_stage = forms.TypedChoiceField(
        label="Move to stage", coerce=int, error_messages={"required": "Choose a stage."}
    )
    # The stage whose questions were on screen: answering them is a separate step when
    # they were not (a browser without JS posts the stage alone first).
    shown_for = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lead, stages, questions, locations, preview_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        if preview_url:
            # Choosing a stage fetches its questions at once (htmx); the typed note stays.
            self.fields["to_stage"].widget.attrs.update(
                {
                    "hx-post": preview_url,
                    "hx-trigger": "change",
                    "hx-vals": '{"preview": "1"}',
                    "hx-target": "#stage-form",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                }
            )
        self.stages = {stage.pk: stage for stage in stages}
        self.questions = list(questions)
        self.locations = {location.pk: location for location in locations}
        self.fields["to_stage"].choices = _blank("Choose a stage") + [
            (stage.pk, stage.name) for stage in stages if stage.pk != lead.stage_id
        ]
        self.chosen = self._chosen_stage()
        self.detail_field_names: list[str] = []
        if self.chosen is not None:
            self._add_fields_for(self.chosen)
            self.fields["shown_for"].initial = self.chosen.pk
        reason = forms.CharField(
            label="Note (optional)",
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        if lead.closed_at is not None:
            reason.label, reason.required = "Why is this lead reopened?", True
            reason.error_messages["required"] = "Say why this lead is reopened."
        self.fields["reason"] = reason

    def _chosen_stage(self):
        raw = self.data.get(self.add_prefix("to_stage")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("to_stage")
        try:
            return self.stages.get(int(raw))
        except (TypeError, ValueError):
            return None

    def _add(self, name: str, field: forms.Field) -> None:
        self.fields[name] = field
        self.detail_field_names.append(name)

    def _add_fields_for(self, stage) -> None:
        if stage.slug == DefaultStage.QUALIFIED:
            for question in self.questions:
                self._add(f"answer_{question.pk}", _answer_field(question))
        elif stage.slug == DefaultStage.SCHEDULED:
            self._add(
                "appointment_date",
                forms.DateField(
                    label="Appointment date",
                    widget=DateInput,
                    error_messages={"required": "Give the appointment date."},
                ),
            )
            self._add(
                "appointment_time",
                forms.TimeField(
                    label="Appointment time",
                    widget=TimeInput,
                    error_messages={"required": "Give the appointment time."},
                ),
            )
            self._add(
                "appointment_location",
                forms.TypedChoiceField(
                    label="Appointment location",
                    coerce=int,
                    choices=_blank("Choose a location")
                    + [(pk, location.name) for pk, location in self.locations.items()],
                    initial=self.lead.location_id,
                    error_messages={"required": "Choose where the appointment is."},
                ),
            )
        elif stage.kind == StageKind.LOST:
            self._add(
                "lost_reason",
                forms.ChoiceField(
                    label="Why is the lead lost?",
                    choices=_blank("Choose a reason") + LostReason.choices,
                    error_messages={"required": "Choose why the lead was lost."},
                ),
            )
            self._add(
                "lost_reason_note",
                forms.CharField(label="Details (optional)", required=False, max_length=500),
            )
        elif stage.kind == StageKind.NURTURE:
            self._add(
                "recontact_on",
                forms.DateField(
                    label="Contact again on",
                    widget=DateInput,
                    error_messages={"required": "Give the date to contact this person again."},
                ),
            )

    def detail_fields(self):
        return [self[name] for name in self.detail_field_names]

    @property
    def needs_details(self) -> bool:
        """Whether the chosen stage asks anything beyond the stage itself."""
        return bool(self.detail_field_names) or self.lead.closed_at is not None

    @property
    def details_were_shown(self) -> bool:
        if not self.is_bound or self.chosen is None:
            return False
        return self.data.get(self.add_prefix("shown_for")) == str(self.chosen.pk)

    def clean(self):
        cleaned = super().clean()
        if self.chosen is None or self.chosen.slug != DefaultStage.SCHEDULED:
            return cleaned
        day, time_of_day = cleaned.get("appointment_date"), cleaned.get("appointment_time")
        location = self.locations.get(cleaned.get("appointment_location"))
        if day and time_of_day:
            # The appointment is at the location's wall-clock time, not the server's.
            zone = zoneinfo.ZoneInfo(location.time_zone if location else settings.TIME_ZONE)
            appointment_at = dt.datetime.combine(day, time_of_day, tzinfo=zone)
            if appointment_at < timezone.now():
                self.add_error("appointment_date", "The appointment is in the past.")
            cleaned["appointment_at"] = appointment_at
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of lead_stage_change for the cleaned form."""
        cleaned = self.cleaned_data
        arguments = {"to_stage": self.chosen, "reason": cleaned.get("reason", "")}
        if self.chosen.slug == DefaultStage.QUALIFIED:
            arguments["qualification_answers"] = {
                str(question.pk): _answer_value(cleaned.get(f"answer_{question.pk}"))
                for question in self.questions
                if cleaned.get(f"answer_{question.pk}") not in (None, "")
            }
        if self.chosen.slug == DefaultStage.SCHEDULED:
            arguments["appointment_at"] = cleaned.get("appointment_at")
            arguments["appointment_location"] = self.locations.get(
                cleaned.get("appointment_location")
            )
        if self.chosen.kind == StageKind.LOST:
            arguments["lost_reason"] = cleaned.get("lost_reason", "")
            arguments["lost_reason_note"] = cleaned.get("lost_reason_note", "")
        if self.chosen.kind == StageKind.NURTURE:
            arguments["recontact_on"] = cleaned.get("recontact_on")
        return arguments

    # Service errors are keyed by the service's argument names; show each on its field.
    SERVICE_FIELD = {
        "stage": "to_stage",
        "appointment_at": "appointment_date",
        "qualification_answers": None,
    }

    def add_service_errors(self, error) -> None:
        for key, messages in error.message_dict.items():
            name = self.SERVICE_FIELD.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


def _answer_field(question: QualificationQuestion) -> forms.Field:
    required = question.is_required
    messages = {"required": "Answer this question to qualify the lead."}
    if question.answer_kind == QualificationQuestion.AnswerKind.YES_NO:
        return forms.ChoiceField(
            label=question.text, choices=YES_NO_CHOICES, required=required, error_messages=messages
        )
    if question.answer_kind == QualificationQuestion.AnswerKind.NUMBER:
        return forms.DecimalField(
            label=question.text, required=required, max_digits=12, error_messages=messages
        )
    return forms.CharField(
        label=question.text, required=required, max_length=500, error_messages=messages
    )


def _answer_value(value):
    # The answers are stored as JSON, which has numbers but no Decimal.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
