"""Forms of account hygiene: a request from the case file, and the area's answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from cobranza.employers.models import Employer, ImportBatch, ImportKind
from cobranza.engine.money import fmt_usd
from cobranza.hygiene.models import Area, Finding, FindingStatus, RequestStatus


class FindingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = obj.get_finding_type_display()
        if obj.periods_text:
            label += f" · {obj.periods_text}"
        kind = "estimado" if obj.is_estimate else "importe"
        return f"{label} · {kind} {fmt_usd(int(obj.amount * 100))}"


class BatchChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.get_kind_display()} · {obj.filename} · {timezone.localtime(obj.created_at):%d/%m/%Y %H:%M}"
        )


class CleanupRequestForm(forms.Form):
    finding = FindingChoice(
        label="Hallazgo",
        queryset=Finding.objects.none(),
        required=False,
        empty_label="Otro asunto (descríbalo en la nota)",
    )
    area = forms.ChoiceField(
        label="Área (si no elige un hallazgo)",
        choices=[("", "— según el hallazgo —"), *Area.choices],
        required=False,
    )
    note = forms.CharField(
        label="Nota para el área",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, employer: Employer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = (
            Finding.objects.filter(employer=employer, status=FindingStatus.OPEN)
            .exclude(requests__status=RequestStatus.PENDING)
            .order_by("finding_type", "key")
        )
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if name != "note" else "form-control form-control-sm"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("finding"):
            if not data.get("area"):
                self.add_error("area", "Elija el área a la que se envía la solicitud.")
            if not (data.get("note") or "").strip():
                self.add_error("note", "Una solicitud sin hallazgo necesita una nota que diga qué depurar.")
        return data


class ResolveForm(forms.Form):
    answer = forms.CharField(
        label="Respuesta (qué se corrigió)",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=2000,
    )
    import_batch = BatchChoice(
        label="Importación corregida (opcional)",
        queryset=ImportBatch.objects.none(),
        required=False,
        empty_label="— ninguna: resuelta con nota —",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recent = ImportBatch.objects.filter(
            kind__in=[ImportKind.DECLARATIONS, ImportKind.PAYMENTS, ImportKind.EMPLOYERS]
        )
        self.fields["import_batch"].queryset = ImportBatch.objects.filter(  # type: ignore[attr-defined]
            pk__in=list(recent.order_by("-created_at").values_list("pk", flat=True)[:50])
        ).order_by("-created_at")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Motivo del rechazo",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        max_length=2000,
    )
