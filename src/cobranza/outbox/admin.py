from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cobranza.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: the queue is written by the services and drained by the beat task."""

    list_display = ("description", "state", "created_at", "attempts", "last_attempt_at", "sent_at")
    list_filter = ("state",)
    search_fields = ("description", "task")
    readonly_fields = (
        "task",
        "description",
        "kwargs",
        "state",
        "created_at",
        "attempts",
        "last_attempt_at",
        "sent_at",
        "last_error",
    )
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
