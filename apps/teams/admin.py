from django.contrib import admin

from apps.teams.models import Team, TeamMembership


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "team_lead", "is_fallback", "is_active")
    list_filter = ("is_fallback", "is_active")
    filter_horizontal = ("service_lines", "locations")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TeamMembershipInline]
