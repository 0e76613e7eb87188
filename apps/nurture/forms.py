"""Forms of the nurture pages. They validate (merge fields included, through the
models' clean); services decide and write."""

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.db import models

from apps.nurture.choices import StepAction
from apps.nurture.merge_fields import (
    BODY_MERGE_FIELDS,
    SMS_MAX_CHARACTERS,
    SUBJECT_MERGE_FIELDS,
)
from apps.nurture.models import SCHEDULING_LINK_SCHEMES, NurtureStep, NurtureTrack
from apps.nurture.selectors import tracks_open_for_enrollment
from apps.people.models import ConsentPurpose
from apps.pipeline.models import PipelineStage
from apps.servicelines.models import ServiceLine


def _https_urls(field, **kwargs):
    # Addresses typed without a scheme are https (Django 6's default, chosen now).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class NurtureTrackForm(forms.ModelForm):
    """A track's audience, purpose and entry rule."""

    class Meta:
        model = NurtureTrack
        formfield_callback = _https_urls
        fields = [
            "name",
            "description",
            "purpose",
            "service_line",
            "lead_type",
            "entry_trigger",
            "entry_stage",
            "entry_min_unanswered_calls",
            "scheduling_link",
            "is_active",
        ]
        labels = {
            "purpose": "Purpose (decides the consent needed)",
            "entry_trigger": "Leads enter",
            "entry_stage": "Entry stage",
            "entry_min_unanswered_calls": "Unanswered calls needed first",
            "is_active": "Switched on (leads arriving from now on enter)",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = ServiceLine.objects.filter(is_active=True)
        self.fields["service_line"].empty_label = "Every service line"
        self.fields["entry_stage"].queryset = PipelineStage.objects.filter(is_active=True)
        self.fields["entry_stage"].empty_label = "—"
        self.fields["lead_type"].choices = [("", "Every lead type"), *self.fields[
            "lead_type"
        ].choices[1:]]  # fmt: skip
        link = self.fields["scheduling_link"]
        # Only what the model's validator accepts (see NurtureTrack.scheduling_link).
        link.validators = [v for v in link.validators if not isinstance(v, URLValidator)] + [
            URLValidator(schemes=SCHEDULING_LINK_SCHEMES)
        ]
        link.help_text = scheduling_link_help(default=settings.NURTURE_SCHEDULING_URL)
        link.widget.attrs["placeholder"] = "https://"


def scheduling_link_help(*, default: str) -> str:
    """What saving accepts, in the words of the validator (an https address of at most
    500 characters; https:// added when typed without) and of nurture_track_save (empty
    falls back to NURTURE_SCHEDULING_URL, and is refused if a step needs a link and
    there is no fallback)."""
    accepts = (
        "A web address starting with https:// (typed without it, https:// is added), "
        f"at most {NurtureTrack._meta.get_field('scheduling_link').max_length} characters. "
        "It fills in {{ scheduling_link }}."
    )
    if default:
        return f"{accepts} Empty: the hospital's booking page, {default}."
    return f"{accepts} Needed when a step uses {{{{ scheduling_link }}}}."


class NurtureStepForm(forms.ModelForm):
    """One step card: wait, then an email, a text or a call task. Only the fields of its
    channel count: a subject left in a box hidden when the channel became "text" or
    "call" is dropped, not refused."""

    class Meta:
        model = NurtureStep
        fields = ["position", "wait_amount", "wait_unit", "action", "subject", "body"]
        labels = {
            "wait_amount": "Wait",
            "wait_unit": "Counted in",
            "action": "Then send",
            "subject": "Email subject",
            "body": "Message",
        }
        help_texts = {
            "subject": "Shown in inbox lists and on lock screens: nothing about the person. "
            "Merge fields: " + ", ".join(f"{{{{ {name} }}}}" for name in SUBJECT_MERGE_FIELDS),
            "body": "Merge fields: " + ", ".join(f"{{{{ {name} }}}}" for name in BODY_MERGE_FIELDS),
        }
        widgets = {
            # Set by the order of the cards (the Move up/down buttons renumber them).
            "position": forms.HiddenInput(attrs={"data-step-position": ""}),
            "wait_amount": forms.NumberInput(attrs={"min": 0, "max": 90}),
            "action": forms.RadioSelect(attrs={"data-step-action": ""}),
            "body": forms.Textarea(attrs={"rows": 4, "data-step-body": ""}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        if self.instance.pk is None:
            self.fields["action"].initial = StepAction.EMAIL
        self.fields["action"].choices = STEP_ACTION_CHOICES
        self.fields["body"].widget.attrs["data-sms-max"] = SMS_MAX_CHARACTERS

    @property
    def channel(self) -> str:
        """The channel the card shows: the one posted, else the saved one, else email."""
        value = self["action"].value()
        return value if value in StepAction.values else StepAction.EMAIL

    def clean(self):
        cleaned = super().clean()
        # Before the model's check ("Only emails have a subject"), which runs after this.
        if cleaned.get("action") and cleaned["action"] != StepAction.EMAIL:
            cleaned["subject"] = ""
        return cleaned


# Short words on the card's channel switch (the model's labels say it in full).
STEP_ACTION_CHOICES = [
    (StepAction.EMAIL, "Email"),
    (StepAction.SMS, "Text message"),
    (StepAction.CALL_TASK, "Call task for the owner"),
]


class BaseStepFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().order_by("position")

    @property
    def cards(self):
        """The forms in the order the manager gave them (posted positions; a form
        without one keeps its place at the end)."""
        forms_ = list(self.forms)
        return sorted(forms_, key=lambda form: (_posted_position(form), forms_.index(form)))


def _posted_position(form) -> int:
    try:
        return int(form["position"].value())
    except (TypeError, ValueError):
        return 10_000


StepFormSet = forms.inlineformset_factory(
    NurtureTrack,
    NurtureStep,
    form=NurtureStepForm,
    formset=BaseStepFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    can_delete_extra=True,
)


def step_formset_steps(formset) -> tuple[list[NurtureStep], list[NurtureStep]]:
    """(steps to keep, in the order of their cards; steps to remove) of a valid formset."""
    deleted = set(map(id, formset.deleted_forms))
    removed = [form.instance for form in formset.deleted_forms if form.instance.pk]
    kept = [
        form.save(commit=False)
        for form in formset.cards
        if id(form) not in deleted and (form.has_changed() or form.instance.pk)
    ]
    return kept, removed


class StepPreviewForm(forms.Form):
    """Posted with a card's Preview or Test button (the whole builder form comes along):
    which card, the track fields its message depends on, and the lead to preview with."""

    step = forms.RegexField(regex=r"^steps-\d{1,2}$")
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.filter(is_active=True), required=False
    )
    scheduling_link = forms.URLField(
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=SCHEDULING_LINK_SCHEMES)],
        label="Scheduling link",
    )
    preview_lead = forms.IntegerField(
        required=False, min_value=1, label="Preview with lead number (optional)"
    )

    def track(self) -> NurtureTrack:
        """An unsaved track carrying what the message needs."""
        data = self.cleaned_data
        return NurtureTrack(
            purpose=data["purpose"],
            service_line=data["service_line"],
            scheduling_link=data["scheduling_link"] or "",
        )


class EnrollForm(forms.Form):
    track = forms.ModelChoiceField(queryset=NurtureTrack.objects.none(), label="Track")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks_open_for_enrollment()
