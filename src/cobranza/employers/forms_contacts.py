"""Forms of the contacts page: they parse input; `employers.services` decides and writes."""

from django import forms


def _sm(widget: forms.Widget) -> forms.Widget:
    widget.attrs.setdefault("class", "form-control form-control-sm")
    return widget


class ContactForm(forms.Form):
    name = forms.CharField(label="Nombre", max_length=200, widget=_sm(forms.TextInput()))
    position = forms.CharField(
        label="Cargo",
        max_length=120,
        required=False,
        widget=_sm(forms.TextInput(attrs={"placeholder": "p. ej. Contador, Gerente de RR. HH."})),
    )
    phone = forms.CharField(
        label="Teléfono",
        max_length=40,
        required=False,
        widget=_sm(forms.TextInput(attrs={"inputmode": "tel"})),
    )
    email = forms.EmailField(
        label="Correo",
        max_length=254,
        required=False,
        widget=_sm(forms.EmailInput()),
        error_messages={"invalid": "Escriba un correo válido, p. ej. nombre@empresa.com.sv."},
    )
    is_primary = forms.BooleanField(
        label="Contacto principal",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label="Motivo de la corrección",
        max_length=300,
        required=False,
        widget=_sm(forms.TextInput(attrs={"placeholder": "opcional"})),
    )


class RetireForm(forms.Form):
    reason = forms.CharField(
        label="Motivo del retiro",
        max_length=300,
        widget=_sm(forms.TextInput(attrs={"placeholder": "p. ej. ya no trabaja en la empresa"})),
        error_messages={"required": "Indique por qué se retira el contacto."},
    )
