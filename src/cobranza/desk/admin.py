from django.contrib import admin

from cobranza.desk.models import Inquiry, SolvencyRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read only: the desk's services are the only writers (audited)."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "channel", "subject", "employer", "status", "opened_on", "due_on")
    list_filter = ("kind", "status", "channel", "subject")
    search_fields = ("number", "requester_name", "employer__employer_number")


@admin.register(SolvencyRequest)
class SolvencyRequestAdmin(ReadOnlyAdmin):
    list_display = ("employer", "requested_on", "outcome", "standing", "document")
    list_filter = ("outcome",)
