from django.contrib import admin

from cobranza.common.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (audit events, cases, agreements, assignments…):
    the admin lists and shows them, and nobody adds, edits or deletes them there."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody adds, edits or deletes audit events through the admin."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "employer_number")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "employer_number", "action")
    date_hierarchy = "at"
