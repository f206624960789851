"""Forms of the ledger's screens: the statement's date (fecha de corte)."""

from __future__ import annotations

from django import forms

from cobranza.common.forms import UserDateField


class StatementDateForm(forms.Form):
    """`?as_of=` of the employer's page and of its PDF and Excel: empty means the business date."""

    as_of = UserDateField(label="Fecha de corte", subject="fecha de corte", required=False)
