"""The user's own settings on the account page."""

import zoneinfo

from django import forms

from apps.accounts.choices import AlertEmails

# The zones US hospitals work in first, then every other zone by name.
COMMON_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
]


def _zone_choices() -> list:
    common = {zone for zone, _ in COMMON_ZONES}
    others = sorted(zoneinfo.available_timezones() - common)
    return [
        ("", "This browser's time zone"),
        ("Common", COMMON_ZONES),
        ("Every zone", [(zone, zone.replace("_", " ")) for zone in others]),
    ]


class UserSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Every time in LeadCRM is shown in this zone, with the zone named.",
    )
    alert_emails = forms.ChoiceField(
        label="Email me my alerts",
        choices=AlertEmails.choices,
        widget=forms.RadioSelect,
        help_text="Every alert is also in the Alerts list, whatever you choose here.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()
