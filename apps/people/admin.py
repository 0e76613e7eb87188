from django.contrib import admin

from apps.people.models import Consent, Person


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    fields = ("channel", "purpose", "status", "recorded_at", "method", "source", "wording")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("display_name", "phone", "email", "preferred_language", "created_at")
    search_fields = ("last_name", "first_name", "email", "phone")
    raw_id_fields = ("patient",)
    inlines = [ConsentInline]
    show_full_result_count = False  # no COUNT(*) over every person on each page


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("person", "channel", "purpose", "status", "method", "recorded_at")
    list_filter = ("channel", "purpose", "status", "method")
    raw_id_fields = ("person", "recorded_by")
    show_full_result_count = False
