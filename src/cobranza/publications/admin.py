"""Read-only admin of the publication lists: every change goes through the services (audited)."""

from django.contrib import admin

from cobranza.publications.models import PublicationEntry, PublicationList


class EntryInline(admin.TabularInline):
    model = PublicationEntry
    extra = 0
    can_delete = False
    fields = (
        "employer",
        "overdue",
        "months_in_arrears",
        "notified_on",
        "reply_deadline",
        "reply",
        "published",
        "published_overdue",
        "regularized_on",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PublicationList)
class PublicationListAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "state",
        "branch",
        "as_of",
        "notified_on",
        "reply_deadline",
        "frozen_on",
        "prepared_by",
        "approved_by",
    )
    list_filter = ("state", "branch")
    inlines = [EntryInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
