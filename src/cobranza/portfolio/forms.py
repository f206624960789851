"""Forms of the portfolio pages (heads). The services validate the rules; forms parse input."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User

from cobranza.common.forms import UserDateField


class CollectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


def _sm(widget: forms.Widget, select: bool = False) -> forms.Widget:
    widget.attrs.setdefault(
        "class", "form-select form-select-sm" if select else "form-control form-control-sm"
    )
    return widget


class ReassignForm(forms.Form):
    collector = CollectorChoiceField(
        label="Nuevo gestor",
        queryset=User.objects.none(),
        empty_label="— elija —",
        widget=_sm(forms.Select(), True),
    )
    reason = forms.CharField(label="Motivo", max_length=300, widget=_sm(forms.TextInput()))

    def __init__(self, *args, collectors, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = User.objects.filter(pk__in=[c.pk for c in collectors]).order_by(
            "username"
        )


class CoverForm(forms.Form):
    absent = CollectorChoiceField(
        label="Gestor ausente", queryset=User.objects.none(), widget=_sm(forms.Select(), True)
    )
    substitute = CollectorChoiceField(
        label="Gestor suplente", queryset=User.objects.none(), widget=_sm(forms.Select(), True)
    )
    start_date = UserDateField(
        label="Desde",
        subject="fecha de inicio",
        widget=_sm(forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}, format="%d/%m/%Y")),
    )
    end_date = UserDateField(
        label="Hasta",
        subject="fecha de fin",
        widget=_sm(forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}, format="%d/%m/%Y")),
    )
    reason = forms.CharField(label="Motivo", max_length=300, widget=_sm(forms.TextInput()))

    def __init__(self, *args, collectors, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(pk__in=[c.pk for c in collectors]).order_by("username")
        self.fields["absent"].queryset = qs
        self.fields["substitute"].queryset = qs


class DistributeForm(forms.Form):
    reason = forms.CharField(
        label="Motivo",
        max_length=300,
        initial="Asignación de patronos en mora sin gestor, balanceada por saldo y cantidad",
        widget=_sm(forms.TextInput()),
    )
