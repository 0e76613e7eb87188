from django.contrib import admin

from apps.intake.models import IntakeKey


@admin.register(IntakeKey)
class IntakeKeyAdmin(admin.ModelAdmin):
    """Keys are made with `manage.py create_intake_key`; here they can be switched off."""

    list_display = ("name", "prefix", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    fields = ("name", "prefix", "is_active", "created_at", "last_used_at")
    readonly_fields = ("name", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
