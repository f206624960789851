"""Forms of the judicial referral: the request, a return with its reasons, a step of the lawsuit."""

from __future__ import annotations

from typing import Any

from django import forms

from cobranza.cases.services import MAX_DOCUMENT_BYTES
from cobranza.common.forms import UserDateField
from cobranza.legal.models import ClosingOutcome, ReferralKind, StepKind


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo de remisión", choices=ReferralKind.choices)
    note = forms.CharField(
        label="Observaciones para la jefatura",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Motivo de la devolución",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Indique el motivo de la devolución."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class StepForm(forms.Form):
    kind = forms.ChoiceField(label="Paso", choices=StepKind.choices)
    on = UserDateField(
        label="Fecha del paso",
        subject="fecha del paso",
        error_messages={"required": "Indique la fecha del paso (dd/mm/aaaa)."},
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa"}),
    )
    court = forms.CharField(label="Tribunal", max_length=200, required=False)
    court_case_number = forms.CharField(label="Número de expediente judicial", max_length=100, required=False)
    amount = forms.DecimalField(
        label="Monto (pago o condena)",
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        required=False,
        error_messages={
            "invalid": "Escriba el monto con punto decimal, p. ej. 1250.00.",
            "min_value": "El monto debe ser mayor que cero.",
            "max_decimal_places": "El monto admite a lo sumo 2 decimales.",
        },
    )
    outcome = forms.ChoiceField(
        label="Resultado (al cerrar)", choices=[("", "—"), *ClosingOutcome.choices], required=False
    )
    notes = forms.CharField(
        label="Observaciones", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )
    next_step = forms.CharField(label="Próximo paso", max_length=200, required=False)
    next_step_on = UserDateField(
        label="Fecha del próximo paso",
        subject="fecha del próximo paso",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa"}),
    )
    file = forms.FileField(label="Documento (opcional: PDF, imagen u Office, hasta 20 MB)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"El archivo pesa {upload.size / 1024 / 1024:.1f} MB; el máximo es {MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
            )
        return upload
