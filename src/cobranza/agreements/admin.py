from django.contrib import admin

from cobranza.agreements.models import Agreement, CallRecord, Installment
from cobranza.common.admin import ReadOnlyAdmin


class InstallmentInline(admin.TabularInline):
    model = Installment
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Installment._meta.fields]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Read-only: agreements change only through their services (draft, approve, down payment, check)."""

    list_display = ("__str__", "employer", "state", "debt", "installments_count", "signed_on", "drafted_by")
    list_filter = ("state",)
    search_fields = ("employer__employer_number", "employer__legal_name")
    inlines = [InstallmentInline]


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "called_on", "outcome", "recorded_by")
    list_filter = ("outcome",)
