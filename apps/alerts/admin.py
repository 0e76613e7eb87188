from django.contrib import admin

from apps.alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("id", "level", "lead", "recipient", "created_at", "read_at", "email_status")
    list_filter = ("level", "email_status")
    list_select_related = ("lead", "recipient")
    raw_id_fields = ("lead", "recipient", "activity")
    readonly_fields = ("created_at", "emailed_at", "email_claimed_at", "email_attempts")
    date_hierarchy = "created_at"
    show_full_result_count = False
    search_fields = ("=lead__id",)
