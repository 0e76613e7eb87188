from django.contrib import admin
from django.db import models

from apps.audit.admin import PatientDataAdmin
from apps.nurture.models import NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
from apps.nurture.services import nurture_track_activation_stamp


class NurtureStepInline(admin.StackedInline):
    model = NurtureStep
    extra = 0
    ordering = ("position",)
    fields = ("position", ("wait_amount", "wait_unit"), "action", "subject", "body")


@admin.register(NurtureTrack)
class NurtureTrackAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "service_line", "lead_type", "entry_trigger", "is_active")
    list_filter = ("is_active", "purpose", "entry_trigger", "service_line")
    list_select_related = ("service_line",)
    search_fields = ("name",)
    readonly_fields = ("activated_at", "created_by", "created_at", "updated_at")
    inlines = [NurtureStepInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        was_active = (
            NurtureTrack.objects.filter(pk=obj.pk, is_active=True).exists() if obj.pk else False
        )
        if obj.pk is None:
            obj.created_by = request.user
        nurture_track_activation_stamp(track=obj, was_active=was_active)
        super().save_model(request, obj, form, change)


@admin.register(NurtureEnrollment)
class NurtureEnrollmentAdmin(PatientDataAdmin, admin.ModelAdmin):
    """View only: enrollments start and stop through apps.nurture.services."""

    access_lead_fields = ("lead_id",)
    list_display = ("id", "track", "lead", "status", "exit_reason", "entered_at", "ended_at")
    list_filter = ("status", "exit_reason", "track")
    list_select_related = ("track",)
    raw_id_fields = ("lead", "entered_by", "exited_by")
    readonly_fields = ("trigger_key",)


@admin.register(NurtureSend)
class NurtureSendAdmin(PatientDataAdmin, admin.ModelAdmin):
    """View only: sends change only through delivery (claims) and the retry button."""

    access_person_fields = ("person_id",)
    list_display = (
        "id",
        "enrollment",
        "step",
        "channel",
        "status",
        "due_at",
        "sent_at",
        "attempts",
    )
    list_filter = ("status", "channel", "skip_reason")
    list_select_related = ("enrollment__track", "step__track")
    raw_id_fields = ("enrollment", "step", "person", "activity")
