"""The queue's bulk action form and the saved-view forms."""

from django import forms

from apps.leads.choices import LostReason
from apps.queue.forms.base import AccessibleForm, DateInput, blank_choice
from apps.queue.models import SavedView, ViewSharing
from apps.queue.selectors.bulk import BULK_MAX_LEADS


class BulkAction:
    REASSIGN = "reassign"
    STAGE = "stage"
    NURTURE = "nurture"

    LABELS = {
        REASSIGN: "Reassign to…",
        STAGE: "Change stage to…",
        NURTURE: "Add to a nurture track…",
    }


class LeadIdsField(forms.Field):
    """The ticked leads' ids (repeated `lead` values), as numbers; at most a long page."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        try:
            ids = list(dict.fromkeys(int(item) for item in values))
        except (TypeError, ValueError):
            raise forms.ValidationError("Tick the leads again.") from None
        if len(ids) > BULK_MAX_LEADS:
            raise forms.ValidationError(f"Tick at most {BULK_MAX_LEADS} leads at once.")
        return ids

    def validate(self, value) -> None:
        if not value:
            raise forms.ValidationError("Tick the leads first.")


class BulkActionForm(AccessibleForm):
    """One action over the ticked leads. Ids and codes only; the services decide, per
    lead, whether the action is allowed (apps.queue.services.bulk)."""

    lead = LeadIdsField()
    action = forms.ChoiceField(label="Action", error_messages={"required": "Choose an action."})
    owner = forms.TypedChoiceField(label="New owner", coerce=int, required=False, empty_value=None)
    stage = forms.TypedChoiceField(label="New stage", coerce=int, required=False, empty_value=None)
    lost_reason = forms.ChoiceField(
        label="Why lost (lost stages)",
        required=False,
        choices=blank_choice("—") + LostReason.choices,
    )
    recontact_on = forms.DateField(
        label="Contact again on (Not ready)", required=False, widget=DateInput
    )
    track = forms.TypedChoiceField(
        label="Nurture track", coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(label="Reason", required=False, max_length=500)

    def __init__(self, *args, actions, owners, stages, tracks, **kwargs):
        # Its own ids: the queue's filters already use id_stage and the like.
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        self.stages = {stage.pk: stage for stage in stages}
        self.tracks = {track.pk: track for track in tracks}
        self.fields["action"].choices = blank_choice("Choose an action") + [
            (action, BulkAction.LABELS[action]) for action in actions
        ]
        self.fields["owner"].choices = blank_choice("Choose a coordinator") + [
            (user.pk, user.display_name) for user in owners
        ]
        self.fields["stage"].choices = blank_choice("Choose a stage") + [
            (stage.pk, stage.name) for stage in stages
        ]
        self.fields["track"].choices = blank_choice("Choose a track") + [
            (track.pk, track.name) for track in tracks
        ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == BulkAction.REASSIGN:
            if not data.get("owner"):
                self.add_error("owner", "Choose who gets the leads.")
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Say why the leads are reassigned.")
        elif action == BulkAction.STAGE and not data.get("stage"):
            self.add_error("stage", "Choose the stage.")
        elif action == BulkAction.NURTURE and not data.get("track"):
            self.add_error("track", "Choose the track.")
        return data

    def question(self, count: int) -> str:
        """The confirmation: "Reassign 12 leads to Dana Ruiz?"."""
        leads = "1 lead" if count == 1 else f"{count} leads"
        data = self.cleaned_data
        if data["action"] == BulkAction.REASSIGN:
            return f"Reassign {leads} to {self.owners[data['owner']].display_name}?"
        if data["action"] == BulkAction.STAGE:
            return f"Move {leads} to {self.stages[data['stage']].name}?"
        return f"Put {leads} on the nurture track “{self.tracks[data['track']].name}”?"

    def confirm_label(self, count: int) -> str:
        """The confirming button: "Yes, reassign 12 leads to Dana Ruiz"."""
        question = self.question(count).rstrip("?")
        return f"Yes, {question[0].lower()}{question[1:]}"


class SavedViewForm(forms.Form):
    """Save the queue's current filters as a view (the filters come with the queue's
    own form); managers may share it with a team or everyone."""

    name = forms.CharField(label="Name of the view", max_length=80)
    sharing = forms.ChoiceField(
        label="Who sees it", choices=ViewSharing.choices, initial=ViewSharing.PERSONAL
    )
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, can_share: bool, teams, **kwargs):
        kwargs.setdefault("auto_id", "view-%s")
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        if not can_share:
            self.fields["sharing"].choices = [(ViewSharing.PERSONAL, ViewSharing.PERSONAL.label)]
        self.fields["team"].choices = blank_choice("Choose a team") + [
            (team.pk, team.name) for team in teams
        ]


class SavedViewRenameForm(forms.Form):
    name = forms.CharField(
        label="New name", max_length=SavedView._meta.get_field("name").max_length
    )
