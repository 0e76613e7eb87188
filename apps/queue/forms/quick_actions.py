"""The lead page's quick actions: log a call or a message, add a note, set a task,
reassign (managers)."""

import datetime as dt

from django import forms
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from apps.core.languages import language_name, language_names
from apps.leads.choices import Outcome
from apps.queue.forms.base import (
    DATETIME_LOCAL_FORMATS,
    AccessibleForm,
    DateInput,
    DateTimeLocalInput,
    blank_choice,
)


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
        choices=blank_choice("Choose the outcome")
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
    rows = (("kind",), ("occurred_at",), ("note",), ("sent_without_consent",))

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
    # Asked only when the person never agreed to texts (see lead_message_log).
    sent_without_consent = forms.BooleanField(
        label="Log it anyway: the text was sent without SMS consent",
        required=False,
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
    """A manager gives the lead to a team, and to someone in it or its queue (that the
    owner is in the team is the service's rule: apps.routing.assignment)."""

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
        self.fields["team"].choices = blank_choice("Choose a team") + [
            (team.pk, team.name) for team in teams
        ]
        self.fields["owner"].choices = blank_choice("Nobody: the team's queue") + [
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


class PersonContactForm(AccessibleForm):
    """The person's contact details, corrected from the lead page."""

    rows = (
        ("first_name", "last_name"),
        ("phone", "email"),
        ("date_of_birth", "preferred_language"),
        ("postal_code",),
    )

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    phone = PhoneNumberField(
        label="Phone",
        required=False,
        error_messages={"invalid": "Enter a phone number, e.g. (312) 555-0142."},
    )
    email = forms.EmailField(label="Email", required=False, max_length=254)
    date_of_birth = forms.DateField(label="Birth date", required=False, widget=DateInput)
    preferred_language = forms.ChoiceField(label="Language")
    postal_code = forms.CharField(label="Postal code", max_length=10, required=False)

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(language_names())
        if language and language not in names:  # a code intake sent that we cannot name
            names[language] = language_name(language)
        self.fields["preferred_language"].choices = sorted(names.items(), key=lambda i: i[1])

    @classmethod
    def initial_of(cls, person) -> dict:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "phone": person.phone.as_national if person.phone else "",
            "email": person.email,
            "date_of_birth": person.date_of_birth,
            "preferred_language": person.preferred_language,
            "postal_code": person.postal_code,
        }
