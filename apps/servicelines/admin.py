from django.contrib import admin

from apps.servicelines.models import QualificationQuestion, ServiceLine


class QualificationQuestionInline(admin.TabularInline):
    model = QualificationQuestion
    extra = 0


@admin.register(ServiceLine)
class ServiceLineAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "is_active",
        "urgent_response_minutes",
        "soon_response_minutes",
        "routine_response_minutes",
    )
    list_filter = ("is_active",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [QualificationQuestionInline]
