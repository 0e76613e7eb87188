from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_on_shift", "on_leave")
    list_filter = ("groups", "is_on_shift", "on_leave", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Availability",
            {
                "fields": (
                    "title",
                    "phone",
                    "languages",
                    "is_on_shift",
                    "on_leave",
                    "max_open_leads",
                )
            },
        ),
    )
