from django import forms

from apps.webhooks.choices import WebhookEventType


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        help_text="Where LeadCRM POSTs the events (https:// in production).",
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, help_text="e.g. Scheduling system"
    )
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
