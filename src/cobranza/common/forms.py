"""Forms and form fields shared by the apps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from cobranza.common.dates import check_date_range, parse_user_date
from cobranza.common.errors import ApplicationError


class UserDateField(forms.DateField):
    """A date typed by a person: dd/mm/aaaa or ISO, within 01/01/1954 … 31/12/2100 (SPEC §5).

    Parsed by `cobranza.common.dates.parse_user_date`, the one parser of every page, command and
    API call, so a form says the same as they do («Fecha fuera de rango: «01/01/1900» (debe estar
    entre 01/01/1954 y 31/12/2100).») and no out-of-range date reaches a service. `subject` names
    the date in the message (default «fecha»; e.g. «fecha de corte»).
    """

    def __init__(self, *, subject: str = "fecha", **kwargs: Any) -> None:
        self.subject = subject
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        try:
            if isinstance(value, datetime | date):
                return check_date_range(value, field=self.subject)
            return parse_user_date(str(value), field=self.subject)
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code="invalid") from None


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Usuario", widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control"})
    )
    password = forms.CharField(
        label="Contraseña", strip=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )
    error_messages = {
        "invalid_login": "Usuario o contraseña incorrectos. Ambos campos distinguen mayúsculas y minúsculas.",
        "inactive": "Esta cuenta está desactivada.",
    }


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (current password, new one twice, the validators), in Spanish."""

    error_messages = {
        "password_incorrect": "La contraseña actual no es correcta.",
        "password_mismatch": "Las dos contraseñas nuevas no coinciden.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": "Contraseña actual",
            "new_password1": "Contraseña nueva",
            "new_password2": "Repita la contraseña nueva",
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].widget.attrs["autofocus"] = True
