"""Forms of the "Users and roles" pages. They offer only the roles the signed-in user may
give; apps.staff.services decides and checks again."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from apps.accounts.models import User
from apps.staff.selectors import staff_roles_assignable, staff_team_choices


def _role_field(*, actor: User) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in staff_roles_assignable(actor=actor)],
    )


def _teams_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=staff_team_choices(),
        required=False,
        label="Teams",
        widget=forms.CheckboxSelectMultiple,
        help_text="Intake coordinators work the leads routed to their teams.",
    )


class StaffRoleForm(forms.Form):
    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(actor=actor)
        self.fields["teams"] = _teams_field()


class StaffInviteForm(StaffRoleForm):
    username = forms.CharField(
        label="Username", max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(
        label="Work email", help_text="The invitation, with a link to choose a password, goes here."
    )
    field_order = ["first_name", "last_name", "email", "username", "role", "teams"]
