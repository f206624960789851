"""Forms of the publication list: the reply of an employer and the cancellation of a list."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from cobranza.common.dates import business_date, parse_user_date
from cobranza.common.errors import ApplicationError
from cobranza.publications.models import Reply

REPLY_CHOICES = [(k, v) for k, v in Reply.choices if k != Reply.PENDING]


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(label="Respuesta", choices=REPLY_CHOICES)
    reply_on = forms.CharField(label="Fecha de la respuesta", max_length=20, help_text="dd/mm/aaaa")
    note = forms.CharField(label="Nota", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reply_on": business_date().strftime("%d/%m/%Y")})
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name == "reply" else "form-control form-control-sm"
            )
        self.fields["reply_on"].widget.attrs["placeholder"] = "dd/mm/aaaa"

    def clean_reply_on(self) -> date:
        try:
            return parse_user_date(self.cleaned_data["reply_on"], field="fecha de la respuesta")
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None


class CancelForm(forms.Form):
    reason = forms.CharField(label="Motivo de anulación", max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["class"] = "form-control form-control-sm"
