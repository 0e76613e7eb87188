"""The staff "New inquiry" form: what a coordinator asks a caller or a walk-in."""

from django import forms
from phonenumber_field.formfields import PhoneNumberField

from apps.facilities.models import Location
from apps.leads.choices import Channel, LeadType, Urgency
from apps.servicelines.models import ServiceLine


class StaffInquiryForm(forms.Form):
    channel = forms.ChoiceField(
        label="How they reached us",
        choices=[(Channel.PHONE, "Phone call"), (Channel.WALK_IN, "Walk-in")],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    phone = PhoneNumberField(
        label="Phone",
        required=False,
        error_messages={"invalid": "Enter a phone number, e.g. (312) 555-0142."},
    )
    email = forms.EmailField(label="Email", required=False)
    lead_type = forms.ChoiceField(label="Who is asking", choices=LeadType.choices)
    service_line = forms.ModelChoiceField(
        label="Service line",
        empty_label="Choose a service line",
        queryset=ServiceLine.objects.filter(is_active=True).order_by("name"),
    )
    location = forms.ModelChoiceField(
        label="Location",
        required=False,
        empty_label="Not said",
        queryset=Location.objects.filter(is_active=True).order_by("name"),
    )
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE)
    message = forms.CharField(
        label="What they asked",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_phone = forms.BooleanField(label="Agreed to calls about this inquiry", required=False)
    consent_sms = forms.BooleanField(label="Agreed to texts about this inquiry", required=False)
    consent_email = forms.BooleanField(label="Agreed to emails about this inquiry", required=False)

    CONSENT_WORDING = "Asked by staff: may we contact you about your inquiry by {}?"

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", "Give a phone number or an email, so someone can call back.")
        return data

    def contact(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"].as_e164 if data.get("phone") else "",
            "email": data.get("email", ""),
        }

    def consent(self) -> dict | None:
        ticked = [
            name for name in ("phone", "sms", "email") if self.cleaned_data[f"consent_{name}"]
        ]
        if not ticked:
            return None
        return {
            **{name: True for name in ticked},
            "text": self.CONSENT_WORDING.format(", ".join(ticked)),
        }
