from django.contrib import admin

from cobranza.documents.models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read only: an issued document is never edited or deleted."""

    list_display = (
        "number",
        "kind",
        "employer_number",
        "employer_name",
        "issued_on",
        "valid_until",
        "issued_by",
    )
    list_filter = ("kind", "issued_on")
    search_fields = ("number", "employer_number", "employer_name")
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
