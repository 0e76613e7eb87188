from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User
from apps.accounts.services import user_sign_in_unlock


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_on_shift", "on_leave")
    list_filter = ("groups", "is_on_shift", "on_leave", "is_active")
    actions = ["unlock_sign_in"]
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

    @admin.action(description="Unlock sign-in of the selected users")
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            user_sign_in_unlock(user=user)
        self.message_user(
            request, f"Sign-in unlocked for {queryset.count()} user(s).", messages.SUCCESS
        )
