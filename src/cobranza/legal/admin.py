"""Admin of the judicial referral: the checklist of required documents is policy data edited here;
referrals and their steps are read only (they change through the services, with audit events)."""

from typing import Any

from django.contrib import admin

from cobranza.legal.models import Referral, ReferralStep, RequiredDocument


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "applies", "generated", "blocking", "active", "order"]
    list_filter = ["applies", "active", "blocking"]
    list_editable = ["active", "order"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class StepInline(admin.TabularInline):
    model = ReferralStep
    extra = 0
    can_delete = False
    fields = ["kind", "on", "court", "court_case_number", "amount", "outcome", "next_step_on", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "state", "amount", "requested_on", "decided_on", "court_case_number"]
    list_filter = ["state", "kind"]
    search_fields = ["employer__employer_number", "employer__legal_name", "court_case_number"]
    inlines = [StepInline]
