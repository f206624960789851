"""The upload form of the import page."""

from pathlib import Path

from django import forms

from cobranza.employers.models import ImportKind

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Tipo de archivo",
        choices=ImportKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label="Archivo (CSV o XLSX, máximo 50 MB)",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt,.xlsx"}),
        error_messages={"required": "Elija el archivo que va a importar.", "empty": "El archivo está vacío."},
    )
    dry_run = forms.BooleanField(
        label="Solo validar (no escribe nada)",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            size_mb = upload.size / (1024 * 1024)
            raise forms.ValidationError(
                f"El archivo pesa {size_mb:,.1f} MB y el límite es 50 MB. Divídalo en partes o impórtelo por "
                "la línea de comandos (cobranza import)."
            )
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Solo se aceptan archivos .csv o .xlsx.")
        return upload
