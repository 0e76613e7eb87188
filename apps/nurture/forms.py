"""Forms of the nurture pages. They validate (merge fields included, through the
models' clean); services decide and write."""

from django import forms
from django.db import models

from apps.nurture.merge_fields import BODY_MERGE_FIELDS, SUBJECT_MERGE_FIELDS, merge_fields_help
from apps.nurture.models import NurtureStep, NurtureTrack
from apps.nurture.selectors import tracks_open_for_enrollment
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


class NurtureStepForm(forms.ModelForm):
    """One step: wait, then email, text or call task."""

    class Meta:
        model = NurtureStep
        fields = ["wait_amount", "wait_unit", "action", "subject", "body"]
        labels = {"wait_amount": "Wait", "wait_unit": "in", "action": "Then"}
        help_texts = {
            "subject": "Merge fields here: " + merge_fields_help(SUBJECT_MERGE_FIELDS),
            "body": "Merge fields: " + merge_fields_help(BODY_MERGE_FIELDS),
        }
        widgets = {
            "wait_amount": forms.NumberInput(attrs={"min": 0, "max": 90}),
            "body": forms.Textarea(attrs={"rows": 4}),
        }


class BaseStepFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset().order_by("position")


StepFormSet = forms.inlineformset_factory(
    NurtureTrack,
    NurtureStep,
    form=NurtureStepForm,
    formset=BaseStepFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    can_order=True,
)


def step_formset_steps(formset) -> tuple[list[NurtureStep], list[NurtureStep]]:
    """(steps to keep, in the order managers gave; steps to remove) of a valid formset."""
    removed = [form.instance for form in formset.deleted_forms if form.instance.pk]
    kept = [
        form.save(commit=False)
        for form in formset.ordered_forms
        if form.has_changed() or form.instance.pk
    ]
    return kept, removed


class EnrollForm(forms.Form):
    track = forms.ModelChoiceField(queryset=NurtureTrack.objects.none(), label="Track")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks_open_for_enrollment()
