"""Admin registrations for core models."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from coopatlas.core.models import ChangeRecord, User


@admin.register(User)
class CoopAtlasUserAdmin(UserAdmin):
    """Users with their CoopAtlas role."""

    fieldsets = (*UserAdmin.fieldsets, ("CoopAtlas", {"fields": ("role", "preferred_language")}))
    list_display = ("username", "email", "role", "is_active")
    search_fields = ("username", "email")


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """The change log, read-only."""

    list_display = ("created_at", "content_type", "object_id", "action", "user")
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]
