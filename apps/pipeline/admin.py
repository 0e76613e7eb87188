from django.contrib import admin

from apps.pipeline.models import PipelineStage


@admin.register(PipelineStage)
class PipelineStageAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "slug", "kind", "is_active")
    list_display_links = ("name",)
    list_filter = ("kind", "is_active")
