from django.contrib import admin

from apps.sla.models import LeadEscalation, ResponsePolicy


@admin.register(ResponsePolicy)
class ResponsePolicyAdmin(admin.ModelAdmin):
    list_display = (
        "service_line",
        "urgency",
        "lead_type",
        "target_minutes",
        "owner_notice_percent",
        "alert_at_breach",
        "fallback_after_breach_minutes",
        "missed_call_return_minutes",
        "is_active",
    )
    list_filter = ("service_line", "urgency", "lead_type", "is_active")
    list_select_related = ("service_line",)


@admin.register(LeadEscalation)
class LeadEscalationAdmin(admin.ModelAdmin):
    list_display = ("lead", "level", "due_at", "done_at", "outcome")
    list_filter = ("level", "outcome")
    raw_id_fields = ("lead", "activity")
    show_full_result_count = False
