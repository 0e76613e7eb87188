"""The break-the-glass form: a reason from a short list, and a few words."""

from django import forms

from apps.privacy.choices import EmergencyReason


class EmergencyAccessForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need this lead?",
        choices=EmergencyReason.choices,
        widget=forms.RadioSelect,
    )
    reason_text = forms.CharField(
        label="What does the patient need?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The privacy officer reads this. No diagnosis needed.",
    )
