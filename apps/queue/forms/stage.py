"""Moving a lead's stage, asking what the chosen stage needs."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from apps.leads.choices import LostReason
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import StageKind
from apps.queue.forms.base import AccessibleForm, DateInput, TimeInput, blank_choice
from apps.servicelines.models import QualificationQuestion

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
        self.fields["to_stage"].choices = blank_choice("Choose a stage") + [
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
                    choices=blank_choice("Choose a location")
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
                    choices=blank_choice("Choose a reason") + LostReason.choices,
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
