"""Administration of policy versions (add only) and a read-only view of the balance snapshots.

A policy version is never edited or deleted: statements name the version that produced them. To
change a parameter the administrator adds a new version (the form starts from the one being looked
at, or from the latest), which is validated by the engine before it is saved.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from cobranza.ledger import services
from cobranza.ledger.models import BalanceSnapshot, PolicyVersion


class PrettyJSONField(forms.JSONField):
    """The parameters as indented JSON, accents kept, so people can read and edit them."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class PolicyVersionForm(forms.ModelForm):
    parameters = PrettyJSONField(
        label="Parámetros",
        widget=forms.Textarea(attrs={"rows": 40, "cols": 90, "style": "font-family: monospace"}),
        help_text=(
            'JSON con los parámetros de la política (tasas como texto decimal, p. ej. "0.01"; montos en '
            "centavos; fechas AAAA-MM-DD). Los que falten toman el valor por defecto. La versión y la fecha "
            "de vigencia son las de los campos de arriba."
        ),
    )

    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_from", "parameters", "note"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("version", "effective_from", "created_by", "created_at", "note")
    ordering = ("-effective_from",)
    search_fields = ("version", "note")

    # --- add only: versions are immutable and never deleted
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["version", "effective_from", "parameters", "note"]
        return [
            "version",
            "effective_from",
            "parameters_display",
            "note",
            "created_by",
            "created_at",
            "new_from_this",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return self.get_fields(request, obj)

    @admin.display(description="Parámetros")
    def parameters_display(self, obj: PolicyVersion) -> str:
        return format_html(
            '<pre style="white-space: pre-wrap">{}</pre>',
            json.dumps(obj.parameters, ensure_ascii=False, indent=2),
        )

    @admin.display(description="Cambiar parámetros")
    def new_from_this(self, obj: PolicyVersion) -> str:
        url = reverse("admin:ledger_policyversion_add") + f"?copy_from={obj.pk}"
        return format_html('<a class="button" href="{}">Crear una versión nueva a partir de esta</a>', url)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        source = None
        copy_from = request.GET.get("copy_from", "")
        if copy_from.isdigit():
            source = PolicyVersion.objects.filter(pk=int(copy_from)).first()
        if source is None:
            source = PolicyVersion.objects.order_by("-effective_from").first()
        if source is not None:
            parameters = {
                k: v for k, v in source.parameters.items() if k not in ("version", "effective_from")
            }
            initial.setdefault("parameters", parameters)
            initial.setdefault("note", "")
        return initial

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form: Any, change: bool) -> None:
        created = services.policy_version_create(
            actor=request.user,
            version=obj.version,
            effective_from=obj.effective_from,
            parameters=obj.parameters,
            note=obj.note,
        )
        obj.pk = created.pk
        obj.parameters = created.parameters
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj.updated_at = created.updated_at
        obj._state.adding = False


@admin.register(BalanceSnapshot)
class BalanceSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the recompute only."""

    list_display = (
        "employer",
        "as_of",
        "outstanding",
        "credit",
        "overdue_periods",
        "months_in_arrears",
        "oldest_unpaid_period",
        "last_payment_date",
        "policy_version",
        "computed_at",
    )
    list_select_related = ("employer", "policy_version")
    search_fields = ("employer__employer_number", "employer__legal_name")
    list_filter = ("as_of", "policy_version")
    ordering = ("-outstanding",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
