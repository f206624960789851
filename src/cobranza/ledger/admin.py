"""Administration of policy versions and amnesties (add only) and a read-only view of the balance
snapshots.

A policy version is never edited or deleted: statements name the version that produced them. To
change a parameter the administrator adds a new version (the form starts from the one being looked
at, or from the latest; parameters left out are inherited from the version in force before its
date), which is validated by the engine before it is saved. Amnesties are records of their own,
added the same way. Either one starting before the business date changes figures already issued:
the form asks to confirm it as retroactive, with a reason (recorded in the audit event).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from cobranza.engine.timeline import WAIVABLE
from cobranza.ledger import selectors, services
from cobranza.ledger.models import Amnesty, BalanceSnapshot, PolicyVersion, SnapshotGeneration
from cobranza.ledger.presentation import WAIVE_LABELS, amnesty_scope_label, amnesty_waives_label


class PrettyJSONField(forms.JSONField):
    """The parameters as indented JSON, accents kept, so people can read and edit them."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class RetroactiveFormMixin(forms.Form):
    """«Retroactiva» checkbox and reason, required when the record starts before the business date
    (`services.retroactive_problems`, the rule the command line applies too)."""

    retroactive = forms.BooleanField(
        label="Confirmo que es retroactiva",
        required=False,
        help_text=(
            "Obligatorio cuando rige desde antes de la fecha de negocio: cambia cifras ya emitidas "
            "(estados de cuenta, saldos, convenios)."
        ),
    )
    reason = forms.CharField(
        label="Motivo de la carga retroactiva",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}),
    )

    def check_retroactive(self, *, what: str, starts: Any) -> None:
        data = self.cleaned_data
        problems = services.retroactive_problems(
            what=what,
            starts=starts,
            retroactive=bool(data.get("retroactive")),
            reason=data.get("reason") or "",
        )
        for field_name, messages in problems.items():
            for message in messages:
                self.add_error(field_name, message)


class PolicyVersionForm(RetroactiveFormMixin, forms.ModelForm):
    parameters = PrettyJSONField(
        label="Parámetros",
        required=False,
        widget=forms.Textarea(attrs={"rows": 40, "cols": 90, "style": "font-family: monospace"}),
        help_text=(
            'JSON con los parámetros de la política (tasas como texto decimal, p. ej. "0.01"; montos en '
            "centavos; fechas AAAA-MM-DD). Los que falten se heredan de la versión vigente antes de la "
            "fecha de vigencia. La versión y la fecha de vigencia son las de los campos de arriba."
        ),
    )

    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_from", "parameters", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("effective_from")
        parameters = data.get("parameters")
        if parameters in (None, ""):
            parameters = data["parameters"] = {}
        if day and isinstance(parameters, dict):
            # inherited before the model validates them, so that missing ones never take the defaults
            data["parameters"] = selectors.policy_parameters_inherited(
                effective_from=day, parameters=parameters
            )
        if day:
            self.check_retroactive(what=f"La versión {data.get('version') or ''}".strip(), starts=day)
        return data


class AmnestyForm(RetroactiveFormMixin, forms.ModelForm):
    waives = forms.MultipleChoiceField(
        label="Componentes condonados",
        choices=[(code, WAIVE_LABELS[code].capitalize()) for code in WAIVABLE],
        initial=list(WAIVABLE),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Marque al menos un componente condonado."},
    )

    class Meta:
        model = Amnesty
        fields = ["name", "start", "end", "paid_in_full", "agreements", "waives", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start"):
            self.check_retroactive(what=f"La amnistía «{data.get('name') or ''}»", starts=data["start"])
        return data


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
            return ["version", "effective_from", "parameters", "note", "retroactive", "reason"]
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
            retroactive=bool(form.cleaned_data.get("retroactive")),
            reason=form.cleaned_data.get("reason") or "",
        )
        obj.pk = created.pk
        obj.parameters = created.parameters
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj.updated_at = created.updated_at
        obj._state.adding = False


@admin.register(Amnesty)
class AmnestyAdmin(admin.ModelAdmin):
    """Add only: an amnesty granted stays applied forever (SPEC §4); never edited or deleted."""

    form = AmnestyForm
    list_display = ("name", "start", "end", "scope", "waived", "created_by", "created_at")
    ordering = ("-start", "name")
    search_fields = ("name", "note")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return [
                "name",
                "start",
                "end",
                "paid_in_full",
                "agreements",
                "waives",
                "note",
                "retroactive",
                "reason",
            ]
        return ["name", "start", "end", "scope", "waived", "note", "created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return self.get_fields(request, obj)

    @admin.display(description="Alcance")
    def scope(self, obj: Amnesty) -> str:
        return amnesty_scope_label(paid_in_full=obj.paid_in_full, agreements=obj.agreements).capitalize()

    @admin.display(description="Condona")
    def waived(self, obj: Amnesty) -> str:
        return amnesty_waives_label(obj.waives).capitalize()

    def save_model(self, request: HttpRequest, obj: Amnesty, form: Any, change: bool) -> None:
        created = services.amnesty_create(
            actor=request.user,
            name=obj.name,
            start=obj.start,
            end=obj.end,
            paid_in_full=obj.paid_in_full,
            agreements=obj.agreements,
            waives=obj.waives,
            note=obj.note,
            retroactive=bool(form.cleaned_data.get("retroactive")),
            reason=form.cleaned_data.get("reason") or "",
        )
        obj.pk = created.pk
        obj.waives = created.waives
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
        "overdue_outstanding",
        "current_outstanding",
        "outstanding",
        "worker_share_outstanding",
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
    ordering = ("-overdue_outstanding", "-outstanding")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SnapshotGeneration)
class SnapshotGenerationAdmin(admin.ModelAdmin):
    """Read-only: the recompute runs (generations of balance snapshots) and their state."""

    list_display = ("as_of", "state", "policy_version", "employers", "chunks", "started_at", "published_at")
    list_filter = ("state",)
    ordering = ("-started_at", "-pk")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
