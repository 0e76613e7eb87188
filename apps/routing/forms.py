"""Forms of the routing pages. They validate; services decide and write."""

import re

from django import forms

from apps.accounts.models import User
from apps.facilities.models import Location
from apps.leads.choices import Channel, LeadType, Urgency
from apps.referral_sources.models import ReferralSourceKind
from apps.routing.choices import Strategy
from apps.routing.decision import LeadFacts
from apps.routing.models import RoutingRule
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team

LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def _language_codes(value: str) -> list[str]:
    codes = [code.strip().lower() for code in re.split(r"[,\s]+", value or "") if code.strip()]
    bad = [code for code in codes if not LANGUAGE_CODE_RE.match(code)]
    if bad:
        raise forms.ValidationError(
            "Use language codes such as es, vi, zh-hans (not %(bad)s).",
            params={"bad": ", ".join(bad)},
        )
    return list(dict.fromkeys(codes))


def _staff_label(user: User) -> str:
    return user.display_name


def _checkboxes(choices, label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any.",
    )


class RoutingRuleForm(forms.ModelForm):
    """Create or edit a rule. Empty conditions match anything."""

    lead_types = _checkboxes(LeadType.choices, "Lead types")
    channels = _checkboxes(Channel.choices, "Channels")
    urgencies = _checkboxes(Urgency.choices, "Urgencies")
    referral_source_kinds = _checkboxes(ReferralSourceKind.choices, "Referral source kinds")
    languages = forms.CharField(
        required=False,
        label="Preferred languages",
        help_text="Codes separated by commas, such as es, vi. Empty: any.",
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "is_enabled",
            "service_lines",
            "locations",
            "lead_types",
            "channels",
            "urgencies",
            "languages",
            "referral_source_kinds",
            "target_team",
            "strategy",
            "fixed_owner",
            "urgent_weight",
            "match_language",
            "match_service_line",
            "match_location",
            "relax_after_minutes",
        ]
        widgets = {
            "service_lines": forms.CheckboxSelectMultiple,
            "locations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_lines"].queryset = ServiceLine.objects.filter(is_active=True)
        self.fields["locations"].queryset = Location.objects.filter(is_active=True)
        self.fields["target_team"].queryset = Team.objects.filter(is_active=True)
        self.fields["fixed_owner"].queryset = User.objects.filter(is_active=True)
        self.fields["fixed_owner"].label_from_instance = _staff_label
        self.fields["fixed_owner"].help_text = "Only for the fixed owner strategy."
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self) -> list[str]:
        return _language_codes(self.cleaned_data.get("languages", ""))

    def clean(self):
        cleaned = super().clean()
        strategy = cleaned.get("strategy")
        owner = cleaned.get("fixed_owner")
        if strategy == Strategy.FIXED_OWNER:
            if owner is None:
                self.add_error("fixed_owner", "Choose who gets every lead of this rule.")
        else:
            cleaned["fixed_owner"] = None
        return cleaned


class DryRunForm(forms.Form):
    """A sample lead: where would it go, and why."""

    service_line = forms.ModelChoiceField(queryset=ServiceLine.objects.filter(is_active=True))
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True), required=False
    )
    lead_type = forms.ChoiceField(choices=LeadType.choices, initial=LeadType.PATIENT)
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.WEB_FORM)
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE)
    language = forms.CharField(
        max_length=8, initial="en", help_text="The person's preferred language, such as es."
    )
    referral_source_kind = forms.ChoiceField(
        choices=[("", "None"), *ReferralSourceKind.choices], required=False
    )

    def clean_language(self) -> str:
        codes = _language_codes(self.cleaned_data["language"])
        if len(codes) != 1:
            raise forms.ValidationError("Give one language code, such as es.")
        return codes[0]

    def facts(self) -> LeadFacts:
        data = self.cleaned_data
        return LeadFacts(
            service_line_id=data["service_line"].pk,
            service_line_name=data["service_line"].name,
            location_id=data["location"].pk if data["location"] else None,
            location_name=data["location"].name if data["location"] else "",
            lead_type=data["lead_type"],
            channel=data["channel"],
            urgency=data["urgency"],
            language=data["language"],
            referral_source_kind=data["referral_source_kind"],
        )


class RerouteForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    """Give a lead to a team, and to one of its members or the team's queue."""

    team = forms.ModelChoiceField(queryset=Team.objects.filter(is_active=True))
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Empty: the lead waits in the team's queue.",
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = _staff_label
