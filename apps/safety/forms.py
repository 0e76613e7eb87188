"""Forms of the managers' safety pages: they validate; the services decide."""

from django import forms

from apps.safety.choices import PhraseKind, SafetyCategory
from apps.safety.models import LANGUAGE_CHOICES

MESSAGE_MAX_LENGTH = 4000


class TestMessageForm(forms.Form):
    text = forms.CharField(
        label="Message to test",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Type or paste what a person might write. Nothing is saved.",
    )


class SafetyPhraseForm(forms.Form):
    kind = forms.ChoiceField(label="What it does", choices=PhraseKind.choices)
    category = forms.ChoiceField(
        label="Emergency",
        choices=[("", "(none: not a flag)"), *SafetyCategory.choices],
        required=False,
    )
    language = forms.ChoiceField(label="Language", choices=LANGUAGE_CHOICES)
    phrase = forms.CharField(label="Phrase", max_length=120)


class BuiltInSwitchOffForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    reason = forms.CharField(
        label="Why should this phrase no longer flag an emergency?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
