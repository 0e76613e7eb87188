from django.contrib import admin

from apps.facilities.models import BusinessHours, Holiday, Location


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "city", "state", "time_zone", "is_active")
    list_filter = ("is_active", "time_zone")
    search_fields = ("name", "city")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BusinessHoursInline, HolidayInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("name", "date", "location")
    list_filter = ("location",)
    date_hierarchy = "date"
