"""Forms of the referral pages: they parse and validate input; services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from apps.accounts.models import User
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referrals.choices import FeedbackMethod, HealthStatus, PersonMet, VisitKind
from apps.referrals.imports import IMPORT_MAX_BYTES
from apps.referrals.selectors import (
    UNCLASSIFIED,
    DirectoryFilters,
    liaison_list,
    liaison_territory_names,
    referral_territory_choices,
    user_sees_all_referral_sources,
    visit_source_choices,
)
from apps.servicelines.models import ServiceLine


class LiaisonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, practice or NPI"}),
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *ReferralSourceKind.choices]
    )
    territory = forms.ChoiceField(required=False)
    owning_liaison = LiaisonChoiceField(
        required=False, queryset=User.objects.none(), empty_label="Any liaison"
    )
    health = forms.ChoiceField(
        required=False,
        label="Health",
        choices=[("", "Any health"), *HealthStatus.choices, (UNCLASSIFIED, "Not classified yet")],
    )
    service_line = forms.ModelChoiceField(
        required=False,
        queryset=ServiceLine.objects.filter(is_active=True),
        empty_label="Any service line",
        label="Referred for (12 months)",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [
            ("", "Any territory"),
            *[(name, name) for name in referral_territory_choices(user=user)],
        ]
        self.fields["owning_liaison"].queryset = liaison_list()

    def filters(self) -> DirectoryFilters:
        """The filters to apply; invalid values are ignored (a stale link still works)."""
        data = self.cleaned_data if self.is_valid() else {}
        liaison = data.get("owning_liaison")
        service_line = data.get("service_line")
        return DirectoryFilters(
            query=data.get("q", ""),
            kind=data.get("kind", ""),
            territory=data.get("territory", ""),
            owning_liaison_id=liaison.pk if liaison else None,
            health_status=data.get("health", ""),
            service_line_id=service_line.pk if service_line else None,
        )


class SourceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ReferralSource) -> str:
        detail = obj.specialty or obj.organization_name or obj.get_kind_display()
        return f"{obj.name} · {detail}" if detail else obj.name


class VisitForm(forms.Form):
    """A visit in a few taps: sources, date (today) and kind (in person) are all a
    liaison must touch; the rest waits behind "More details"."""

    sources = SourceChoiceField(
        queryset=ReferralSource.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Source or sources visited",
        error_messages={"required": "Choose the source or sources you visited."},
    )
    visited_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(
        choices=VisitKind.choices,
        initial=VisitKind.IN_PERSON,
        widget=forms.RadioSelect,
        label="How",
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    liaison = LiaisonChoiceField(
        required=False, queryset=User.objects.none(), empty_label="Me", label="Liaison"
    )
    service_lines = forms.ModelMultipleChoiceField(
        required=False,
        queryset=ServiceLine.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        label="Service lines discussed",
    )
    people_met = forms.MultipleChoiceField(
        required=False,
        choices=PersonMet.choices,
        widget=forms.CheckboxSelectMultiple,
        label="People met",
    )
    materials_left = forms.CharField(required=False, max_length=300, label="Materials left")
    gift_value = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        label="Value of meal or items given ($)",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    gift_description = forms.CharField(required=False, max_length=200, label="What was given")
    follow_up = forms.CharField(required=False, max_length=300, label="Follow-up task")
    follow_up_due_on = forms.DateField(
        required=False,
        label="Follow-up due",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Asked only when the gift would take a source over the yearly limit.
    gift_limit_ok = forms.BooleanField(
        required=False, label="Save anyway: the compliance office knows about this gift"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = visit_source_choices(user=user)
        self.fields["visited_on"].initial = timezone.localdate()
        if user_sees_all_referral_sources(user=user):
            self.fields["liaison"].queryset = liaison_list()
        else:
            del self.fields["liaison"]


class VisitEditForm(VisitForm):
    """A visit corrected after it was logged: the same fields, and why."""

    reason = forms.CharField(
        max_length=500,
        label="Why is it changed?",
        error_messages={"required": "Say why, for the record."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("liaison", None)  # whose visit it was does not change

    @classmethod
    def initial_of(cls, visit) -> dict:
        return {
            "sources": [share.source_id for share in visit.visit_sources.all()],
            "visited_on": visit.visited_on,
            "kind": visit.kind,
            "notes": visit.notes,
            "service_lines": [line.pk for line in visit.service_lines.all()],
            "people_met": visit.people_met,
            "materials_left": visit.materials_left,
            "gift_value": visit.gift_value or None,
            "gift_description": visit.gift_description,
            "follow_up": visit.follow_up,
            "follow_up_due_on": visit.follow_up_due_on,
        }


class VisitDeleteForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why is it deleted?",
        error_messages={"required": "Say why, for the record."},
    )


class FeedbackForm(forms.Form):
    method = forms.ChoiceField(choices=FeedbackMethod.choices, label="Sent by")
    sent_at = forms.DateTimeField(
        label="Sent at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class AppointmentSourceForm(forms.Form):
    source = forms.ModelChoiceField(
        required=False,
        queryset=ReferralSource.objects.filter(is_active=True).only("id", "name"),
        empty_label="Same as the referring source",
        label="Source named at the appointment",
    )


class SourceEditForm(forms.ModelForm):
    """A source's details. A liaison keeps it in one of their territories."""

    class Meta:
        model = ReferralSource
        fields = (
            "name",
            "kind",
            "npi",
            "specialty",
            "organization_name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "email",
            "territory",
            "owning_liaison",
            "is_active",
        )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owning_liaison"].queryset = liaison_list()
        if not user_sees_all_referral_sources(user=user):
            territories = liaison_territory_names(user=user)
            current = self.instance.territory
            choices = sorted(set(territories) | ({current} if current else set()))
            self.fields["territory"] = forms.ChoiceField(
                choices=[(name, name) for name in choices], initial=current
            )
            self._liaison_territories = set(territories)

    def clean_territory(self):
        territory = self.cleaned_data["territory"]
        allowed = getattr(self, "_liaison_territories", None)
        if (
            allowed is not None
            and territory != self.instance.territory
            and territory not in allowed
        ):
            raise forms.ValidationError("Use one of your own territories.")
        return territory

    def _post_clean(self):
        # The service validates and saves; the ModelForm must not run the model's
        # full_clean first (it would report a duplicate NPI less helpfully).
        pass


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: kind, name, npi, specialty, practice, organization_name, address_line1, "
            "address_line2, city, state, postal_code, phone, email, territory, owning_liaison."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; split it.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Save the file as UTF-8 CSV and try again.") from exc


class ImportConfirmForm(forms.Form):
    """The previewed file, sent back to be imported for real (and checked again)."""

    csv_text = forms.CharField(widget=forms.HiddenInput, max_length=IMPORT_MAX_BYTES)
