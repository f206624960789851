"""Admin of account hygiene: the policy table and the areas' members are edited here; findings,
requests and scans are read only (they change through the services)."""

from typing import Any

from django.contrib import admin

from cobranza.hygiene.models import AreaMember, CleanupRequest, Finding, HygieneRule, ScanRun


@admin.register(HygieneRule)
class HygieneRuleAdmin(admin.ModelAdmin):
    list_display = ["finding_type", "area", "deadline_business_days", "auto_request", "min_age_months"]


@admin.register(AreaMember)
class AreaMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "area"]
    list_filter = ["area"]
    autocomplete_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["employer", "finding_type", "status", "amount", "first_seen_on", "last_seen_on"]
    list_filter = ["finding_type", "status"]
    search_fields = ["employer__employer_number", "employer__legal_name"]


@admin.register(CleanupRequest)
class CleanupRequestAdmin(ReadOnlyAdmin):
    list_display = ["code", "employer", "area", "status", "created_on", "due_on", "answered_on"]
    list_filter = ["area", "status"]
    search_fields = ["employer__employer_number", "employer__legal_name"]


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "employers", "seconds"]
