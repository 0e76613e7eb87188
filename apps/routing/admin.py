from django.contrib import admin

from apps.routing.models import MemberSkills, RoutingRule, RoutingWait


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "is_enabled", "target_team", "strategy", "fixed_owner")
    list_display_links = ("name",)
    list_editable = ("position", "is_enabled")
    list_filter = ("is_enabled", "strategy", "target_team")
    list_select_related = ("target_team", "fixed_owner")
    filter_horizontal = ("service_lines", "locations")
    raw_id_fields = ("fixed_owner",)
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "position", "is_enabled")}),
        (
            "Conditions (empty matches anything)",
            {
                "fields": (
                    "service_lines",
                    "locations",
                    "lead_types",
                    "channels",
                    "urgencies",
                    "languages",
                    "referral_source_kinds",
                )
            },
        ),
        ("Outcome", {"fields": ("target_team", "strategy", "fixed_owner", "urgent_weight")}),
        (
            "Skills",
            {
                "fields": (
                    "match_language",
                    "match_service_line",
                    "match_location",
                    "relax_after_minutes",
                )
            },
        ),
    )


@admin.register(MemberSkills)
class MemberSkillsAdmin(admin.ModelAdmin):
    list_display = ("user",)
    list_select_related = ("user",)
    filter_horizontal = ("service_lines", "locations")
    raw_id_fields = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")


@admin.register(RoutingWait)
class RoutingWaitAdmin(admin.ModelAdmin):
    list_display = ("lead", "team", "reason", "waiting_since", "relax_at", "attempts")
    list_select_related = ("lead", "team")
    list_filter = ("reason", "team")
    raw_id_fields = ("lead", "rule")
    readonly_fields = ("lead", "waiting_since", "last_tried_at", "attempts")
