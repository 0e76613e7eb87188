from django.contrib import admin

from apps.audit.admin import PatientDataAdmin
from apps.leads.models import Activity, Lead

# Leads and their timeline change only through apps.leads.services (stage rules, the
# response clock, the timeline's strike-through): the admin shows, never writes.


class ActivityInline(PatientDataAdmin, admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("occurred_at", "kind", "direction", "outcome", "author", "body", "struck_at")
    raw_id_fields = ("author",)
    show_change_link = True


@admin.register(Lead)
class LeadAdmin(PatientDataAdmin, admin.ModelAdmin):
    access_lead_fields = ("pk",)
    access_person_fields = ("person_id", "caregiver_id")
    list_display = (
        "id",
        "person",
        "service_line",
        "lead_type",
        "channel",
        "urgency",
        "stage",
        "owner",
        "created_at",
    )
    list_filter = ("stage", "service_line", "lead_type", "channel", "urgency", "location")
    list_select_related = ("person", "service_line", "stage", "owner")
    raw_id_fields = ("person", "caregiver", "referral_source", "owner")
    date_hierarchy = "created_at"
    # A million leads: never count them all on each admin page.
    show_full_result_count = False
    search_fields = ("=id", "=external_id")
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(PatientDataAdmin, admin.ModelAdmin):
    access_lead_fields = ("lead_id",)
    list_display = ("lead", "kind", "direction", "outcome", "author", "occurred_at")
    list_filter = ("kind", "direction", "outcome", "is_automated")
    raw_id_fields = ("lead", "author", "assignee")
    show_full_result_count = False
