"""The form of a member's routing profile on the "Team members" page. It validates;
member_services.member_routing_profile_update decides and writes."""

from django import forms
from django.db.models import Q

from apps.accounts.models import User
from apps.core.languages import language_name, language_names
from apps.facilities.models import Location
from apps.routing.member_selectors import routing_rule_languages
from apps.routing.member_services import MAX_CAPACITY
from apps.routing.models import MemberSkills
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team


def member_language_choices(*, extra_codes: list[str]) -> list[tuple[str, str]]:
    """The languages the app can name (apps.core.languages: base codes, as routing
    compares codes exactly), plus any code a rule asks for or the member already has,
    so that saving never drops one."""
    codes = set(language_names())
    codes.update(code for code in extra_codes if code)
    return sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])


def _checkboxes(queryset, *, label: str, help_text: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
    )


class MemberRoutingProfileForm(forms.Form):
    """What routing reads of one member. Inactive service lines, locations and teams are
    offered only when the member already has them, so saving never drops them."""

    is_on_shift = forms.BooleanField(required=False, label="On shift")
    on_leave = forms.BooleanField(
        required=False, label="On leave", help_text="Never picked by routing while on leave."
    )
    max_open_leads = forms.IntegerField(
        label="Capacity",
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text="Open, not yet contacted leads this person can carry (an urgent lead "
        "can count more, as each rule says).",
    )
    languages = forms.MultipleChoiceField(
        required=False,
        label="Languages spoken",
        widget=forms.CheckboxSelectMultiple,
        help_text="Rules that match by language pick only members who speak the person's language.",
    )
    service_lines = _checkboxes(
        ServiceLine.objects.none(),
        label="Service lines covered",
        help_text="None ticked: every service line.",
    )
    locations = _checkboxes(
        Location.objects.none(), label="Locations covered", help_text="None ticked: every location."
    )
    teams = _checkboxes(
        Team.objects.none(),
        label="Member of",
        help_text="Routing picks owners among a team's members.",
    )

    def __init__(self, *args, member: User, **kwargs):
        try:
            skills = member.routing_skills
        except MemberSkills.DoesNotExist:
            skills = None
        line_ids = [s.pk for s in skills.service_lines.all()] if skills else []
        location_ids = [loc.pk for loc in skills.locations.all()] if skills else []
        team_ids = [t.pk for t in member.teams.all()]
        kwargs.setdefault(
            "initial",
            {
                "is_on_shift": member.is_on_shift,
                "on_leave": member.on_leave,
                "max_open_leads": member.max_open_leads,
                "languages": member.languages,
                "service_lines": line_ids,
                "locations": location_ids,
                "teams": team_ids,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = member_language_choices(
            extra_codes=[*member.languages, *routing_rule_languages()]
        )
        self.fields["service_lines"].queryset = ServiceLine.objects.filter(
            Q(is_active=True) | Q(pk__in=line_ids)
        )
        self.fields["locations"].queryset = Location.objects.filter(
            Q(is_active=True) | Q(pk__in=location_ids)
        )
        self.fields["teams"].queryset = Team.objects.filter(Q(is_active=True) | Q(pk__in=team_ids))
