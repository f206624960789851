"""Desk forms: every refusal names its field in Spanish."""

from __future__ import annotations

from datetime import date

from django import forms

from cobranza.common.errors import ApplicationError
from cobranza.desk.models import Channel, InquiryKind, InquiryStatus, RequesterType, Subject
from cobranza.desk.services import parse_periods
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers

ATTRS = {"class": "form-control"}
SELECT = {"class": "form-select"}


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo", choices=InquiryKind.choices, widget=forms.Select(attrs=SELECT))
    channel = forms.ChoiceField(label="Canal", choices=Channel.choices, widget=forms.Select(attrs=SELECT))
    requester_type = forms.ChoiceField(
        label="Quién consulta", choices=RequesterType.choices, widget=forms.Select(attrs=SELECT)
    )
    requester_name = forms.CharField(
        label="Nombre de quien consulta", max_length=200, widget=forms.TextInput(attrs=ATTRS)
    )
    requester_document = forms.CharField(
        label="Documento de identidad (DUI u otro)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs=ATTRS),
    )
    subject = forms.ChoiceField(label="Asunto", choices=Subject.choices, widget=forms.Select(attrs=SELECT))
    employer_number = forms.CharField(
        label="Número patronal", max_length=20, required=False, widget=forms.TextInput(attrs=ATTRS)
    )
    periods = forms.CharField(
        label="Períodos (AAAA-MM, separados por comas)",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={**ATTRS, "placeholder": "2024-01, 2024-02"}),
    )
    description = forms.CharField(
        label="Detalle", max_length=5000, widget=forms.Textarea(attrs={**ATTRS, "rows": 4})
    )
    attachment = forms.FileField(
        label="Adjunto (PDF, JPG o PNG; opcional)",
        required=False,
        widget=forms.ClearableFileInput(attrs=ATTRS),
    )

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user
        self.employer: Employer | None = None
        self.period_list: list[str] = []

    def clean_employer_number(self) -> str:
        number = self.cleaned_data.get("employer_number", "").strip()
        if number:
            self.employer = visible_employers(user=self.user).filter(employer_number=number).first()
            if self.employer is None:
                raise forms.ValidationError(f"No existe un patrono visible con el número «{number}».")
        return number

    def clean_periods(self) -> str:
        text = self.cleaned_data.get("periods", "")
        try:
            self.period_list = parse_periods(text)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None
        return text

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("kind") == InquiryKind.CLAIM:
            if not data.get("employer_number") and "employer_number" not in self.errors:
                self.add_error("employer_number", "Un reclamo debe indicar el patrono (número patronal).")
            if not self.period_list and "periods" not in self.errors:
                self.add_error("periods", "Un reclamo debe indicar los períodos que reclama.")
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=InquiryStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Respuesta o fundamento",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={**ATTRS, "rows": 3}),
    )


class AttachmentForm(forms.Form):
    attachment = forms.FileField(
        label="Adjunto (PDF, JPG o PNG)", widget=forms.ClearableFileInput(attrs=ATTRS)
    )


class WorkerInquiryForm(forms.Form):
    employer_number = forms.CharField(label="Número patronal", max_length=20, widget=forms.HiddenInput)
    requester_name = forms.CharField(
        label="Nombre del trabajador", max_length=200, widget=forms.TextInput(attrs=ATTRS)
    )
    requester_document = forms.CharField(
        label="DUI", max_length=40, required=False, widget=forms.TextInput(attrs=ATTRS)
    )
    channel = forms.ChoiceField(label="Canal", choices=Channel.choices, widget=forms.Select(attrs=SELECT))


class ReportForm(forms.Form):
    start = forms.DateField(
        label="Desde", required=False, widget=forms.DateInput(attrs={**ATTRS, "placeholder": "dd/mm/aaaa"})
    )
    end = forms.DateField(
        label="Hasta", required=False, widget=forms.DateInput(attrs={**ATTRS, "placeholder": "dd/mm/aaaa"})
    )

    def clean(self):  # type: ignore[no-untyped-def]
        from cobranza.common.dates import EARLIEST, LATEST

        data = super().clean()
        for key in ("start", "end"):
            day: date | None = data.get(key)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(key, f"Fecha fuera de rango (entre {EARLIEST:%d/%m/%Y} y {LATEST:%d/%m/%Y}).")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "«Hasta» no puede ser anterior a «Desde».")
        return data
