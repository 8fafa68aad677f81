"""Admin for administrators: organisations with members, and every record type (read/write)."""

from django.contrib import admin

from coopatlas.catalogue.models import Expert, Membership, Need, Organisation, Partnership, Solution


class MembershipInline(admin.TabularInline):
    """Members of an organisation."""

    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations and their members."""

    list_display = ("name", "acronym", "country", "workflow_status", "deleted_at")
    list_filter = ("workflow_status",)
    search_fields = ("name", "acronym", "iati_identifier")
    inlines = [MembershipInline]


for model in (Solution, Need, Expert, Partnership):
    admin.site.register(model, list_display=("__str__", "owner", "workflow_status", "updated_at"),
                        list_filter=("workflow_status",))
