from django.contrib import admin

from apps.referral_sources.models import ReferralSource


@admin.register(ReferralSource)
class ReferralSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "npi", "specialty", "territory", "owning_liaison", "is_active")
    list_filter = ("kind", "territory", "is_active")
    search_fields = ("name", "npi", "organization_name")
    raw_id_fields = ("parent",)
    list_select_related = ("owning_liaison",)
