from django.contrib import admin

from cobranza.reports.models import Goal


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    """Read-only here: heads set goals on «Metas y resultados», through the service (audited)."""

    list_display = ("month", "collector", "branch", "recovered", "agreements", "contacts", "set_by")
    list_filter = ("month", "branch")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
