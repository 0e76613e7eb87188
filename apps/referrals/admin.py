from django.contrib import admin

from apps.referrals.models import (
    LiaisonTerritory,
    LiaisonVisit,
    LiaisonVisitSource,
    ReferralSourceHealth,
)


@admin.register(LiaisonTerritory)
class LiaisonTerritoryAdmin(admin.ModelAdmin):
    list_display = ("territory", "liaison")
    list_filter = ("territory",)
    raw_id_fields = ("liaison",)
    list_select_related = ("liaison",)


@admin.register(ReferralSourceHealth)
class ReferralSourceHealthAdmin(admin.ModelAdmin):
    list_display = ("source", "status", "recent_referrals", "baseline_referrals", "classified_at")
    list_filter = ("status",)
    list_select_related = ("source",)
    readonly_fields = [field.name for field in ReferralSourceHealth._meta.fields]


class LiaisonVisitSourceInline(admin.TabularInline):
    model = LiaisonVisitSource
    raw_id_fields = ("source",)
    extra = 0


@admin.register(LiaisonVisit)
class LiaisonVisitAdmin(admin.ModelAdmin):
    list_display = ("visited_on", "liaison", "kind", "gift_value", "follow_up_due_on")
    list_filter = ("kind",)
    date_hierarchy = "visited_on"
    raw_id_fields = ("liaison", "logged_by")
    inlines = [LiaisonVisitSourceInline]
    list_select_related = ("liaison",)
