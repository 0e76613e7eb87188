from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User
from apps.accounts.services import (
    user_deactivate,
    user_mfa_reset,
    user_sign_in_unlock,
    user_sign_out_everywhere,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_on_shift", "on_leave")
    list_filter = ("groups", "is_on_shift", "on_leave", "is_active")
    actions = ["unlock_sign_in", "sign_out_everywhere", "reset_mfa", "deactivate"]
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

    @admin.action(description="Sign the selected users out everywhere")
    def sign_out_everywhere(self, request, queryset):
        ended = sum(user_sign_out_everywhere(user=user) for user in queryset)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)

    @admin.action(description="Reset two-factor authentication of the selected users")
    def reset_mfa(self, request, queryset):
        users = list(queryset)
        for user in users:
            user_mfa_reset(user=user)
        self.message_user(
            request,
            f"Two-factor authentication reset for {len(users)} user(s); they were signed out.",
            messages.SUCCESS,
        )

    @admin.action(description="Deactivate the selected users (ends their sessions and tokens)")
    def deactivate(self, request, queryset):
        users = list(queryset)
        for user in users:
            user_deactivate(user=user)
        self.message_user(
            request, f"{len(users)} user(s) deactivated and signed out.", messages.SUCCESS
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Unticking "Active" is how an admin lets someone go: they lose every session
        # and API token at once, not at their next request.
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj)
