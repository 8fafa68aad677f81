"""Moderators and administrators may inspect updates and evidence in the admin (files are not linked)."""

from django.contrib import admin

from coopatlas.results.models import EvidenceAttachment, IndicatorProfile, PeriodUpdate


class EvidenceInline(admin.TabularInline):
    model = EvidenceAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False


@admin.register(PeriodUpdate)
class PeriodUpdateAdmin(admin.ModelAdmin):
    list_display = ("initiative", "period", "value", "unit", "status", "submitted_at", "reviewed_at")
    list_filter = ("status",)
    inlines = [EvidenceInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        # Values change only through the workflow services, which record them in the history.
        return False


@admin.register(IndicatorProfile)
class IndicatorProfileAdmin(admin.ModelAdmin):
    list_display = ("indicator", "unit", "sdg_indicator")
    raw_id_fields = ("indicator",)
