"""Forms of the agreement pages. Amounts are exact (text → cents), dates dd/mm/aaaa or ISO
(1954…2100, through the shared `UserDateField`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from cobranza.agreements.models import CallOutcome
from cobranza.common.errors import ApplicationError
from cobranza.common.forms import UserDateField

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    return UserDateField(
        label=label,
        # The message names the date: «Fecha de cálculo fuera de rango: …»; «Vence …» says «Fecha».
        subject=label.lower() if label.lower().startswith("fecha") else "fecha",
        required=required,
        input_formats=DATE_FORMATS,
        # Text, not the browser's date picker: that one follows the browser's language (mm/dd/yyyy
        # in an English browser); people here type dd/mm/aaaa.
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": "dd/mm/aaaa",
                "inputmode": "numeric",
            },
        ),
    )


class MoneyField(forms.CharField):
    """An amount typed by a person (``1,234.56`` or ``1234.56``), cleaned to integer cents."""

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if text in (None, ""):
            return None
        from cobranza.agreements.services import to_money_cents

        try:
            return to_money_cents(text, field=str(self.label or "monto"))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class OptionForm(forms.Form):
    """The options page: a calculation date, the first due date, and optionally a typed option."""

    as_of = date_field("Fecha de cálculo")
    start = date_field("Vence la primera cuota")
    down_payment = MoneyField(
        label="Prima",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "inputmode": "decimal", "placeholder": "0.00"}
        ),
    )
    installments = forms.IntegerField(
        label="Cuotas",
        required=False,
        min_value=1,
        max_value=120,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"invalid": "Número de cuotas inválido.", "min_value": "Al menos una cuota."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("down_payment") is None) != (data.get("installments") is None) and not self.errors:
            raise forms.ValidationError("Para calcular un convenio indique la prima y el número de cuotas.")
        return data


class DraftForm(forms.Form):
    as_of = date_field("Fecha de cálculo", required=True)
    start = date_field("Vence la primera cuota", required=True)
    down_payment = MoneyField(label="Prima")
    installments = forms.IntegerField(label="Cuotas", min_value=1, max_value=120)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Motivo de la anulación",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"required": "Indique el motivo de la anulación."},
    )


class DownPaymentForm(forms.Form):
    payment = forms.ChoiceField(
        label="Pago recibido", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args: Any, payments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payments = {str(p.pk): p for p in payments}
        self.fields["payment"].choices = [
            (
                str(p.pk),
                f"{p.payment_id} · {p.paid_on:%d/%m/%Y} · ${p.amount:,.2f}{' · ' + p.reference if p.reference else ''}",
            )
            for p in payments
        ]
        self.fields["payment"].error_messages["invalid_choice"] = (
            "Elija uno de los pagos del patrono que se listan."
        )


class CheckForm(forms.Form):
    as_of = date_field("Fecha de revisión")

    def as_of_or(self, default: date) -> date:
        return self.cleaned_data.get("as_of") or default


class CallForm(forms.Form):
    called_on = date_field("Fecha de la llamada", required=True)
    outcome = forms.ChoiceField(
        label="Resultado",
        choices=CallOutcome.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    promised_amount = MoneyField(
        label="Monto prometido",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    promised_on = date_field("Fecha prometida")
    notes = forms.CharField(
        label="Observaciones",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class CallImportForm(forms.Form):
    file = forms.FileField(
        label="Lista con los resultados (Excel)",
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm", "accept": ".xlsx"}),
        error_messages={"required": "Elija el archivo Excel con los resultados de las llamadas."},
    )


class RestructureForm(forms.Form):
    """A head restructures an active or lapsed agreement: the new draft's option."""

    down_payment = forms.DecimalField(
        label="Prima del convenio nuevo ($)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}),
        error_messages={
            "required": "Indique la prima.",
            "invalid": "Escriba la prima como un monto, p. ej. 50.00.",
        },
    )
    installments = forms.IntegerField(
        label="Cuotas",
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={
            "required": "Indique el número de cuotas.",
            "invalid": "El número de cuotas es un entero.",
        },
    )
