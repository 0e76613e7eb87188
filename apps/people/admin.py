from django.contrib import admin

from apps.audit.admin import PatientDataAdmin
from apps.people.models import Consent, Person

# People and their consent change only through apps.people's and apps.leads' services
# (consent is a record of what the person said, with its history): view only here.


class ConsentInline(PatientDataAdmin, admin.TabularInline):
    model = Consent
    extra = 0
    fields = ("channel", "purpose", "status", "recorded_at", "method", "source", "wording")


@admin.register(Person)
class PersonAdmin(PatientDataAdmin, admin.ModelAdmin):
    access_person_fields = ("pk",)
    list_display = ("display_name", "phone", "email", "preferred_language", "created_at")
    search_fields = ("last_name", "first_name", "email", "phone")
    raw_id_fields = ("patient",)
    inlines = [ConsentInline]
    show_full_result_count = False  # no COUNT(*) over every person on each page


@admin.register(Consent)
class ConsentAdmin(PatientDataAdmin, admin.ModelAdmin):
    access_person_fields = ("person_id",)
    list_display = ("person", "channel", "purpose", "status", "method", "recorded_at")
    list_filter = ("channel", "purpose", "status", "method")
    raw_id_fields = ("person", "recorded_by")
    show_full_result_count = False
