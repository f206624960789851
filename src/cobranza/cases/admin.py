"""Admin: the administrator maintains the outcomes list and the letter texts. Case files, documents
and actions are changed only through the services (pages, API), so here they are read-only."""

from django.contrib import admin

from cobranza.cases.models import ActionOutcome, CaseDocument, CaseFile, CollectionAction, LetterTemplate
from cobranza.common.admin import ReadOnlyAdmin


@admin.register(ActionOutcome)
class ActionOutcomeAdmin(admin.ModelAdmin):
    list_display = ("name", "is_contact", "active", "order")
    list_editable = ("is_contact", "active", "order")
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # retire an outcome (active = no): past actions keep pointing at it


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ("letter_type", "subject", "reply_days", "updated_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # one text per letter type, created by a migration

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CaseFile)
class CaseFileAdmin(ReadOnlyAdmin):
    list_display = ("id", "employer", "state", "close_reason", "opened_at", "next_action_on")
    list_filter = ("state",)
    search_fields = ("employer__employer_number", "employer__legal_name")
    list_select_related = ("employer",)


@admin.register(CaseDocument)
class CaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "doc_type", "case", "uploaded_at", "uploaded_by")
    list_select_related = ("case__employer", "uploaded_by")


@admin.register(CollectionAction)
class CollectionActionAdmin(ReadOnlyAdmin):
    list_display = ("performed_at", "kind", "case", "outcome", "review_status", "created_by")
    list_filter = ("kind", "review_status")
    list_select_related = ("case__employer", "outcome", "created_by")
