from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
