"""Forms of the case pages. They only parse and validate input; the services decide and write."""

from __future__ import annotations

from django import forms

from cobranza.cases.models import (
    ActionKind,
    ActionOutcome,
    CaseFile,
    CaseState,
    CloseReason,
    DocumentType,
    LetterType,
    ReviewStatus,
)
from cobranza.cases.services.cases import RESTRICTED_TARGETS
from cobranza.cases.services.documents import MAX_DOCUMENT_BYTES
from cobranza.common.forms import UserDateField
from cobranza.employers.models import Contact


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:  # type: ignore[override]
        return obj.label


def _case_contacts(case: CaseFile | None, *, with_email: bool = False):  # type: ignore[no-untyped-def]
    if case is None:
        return Contact.objects.none()
    qs = Contact.objects.filter(employer_id=case.employer_id, active=True).order_by("-is_primary", "name")
    return qs.exclude(email="") if with_email else qs


class DateInput(forms.DateInput):
    """dd/mm/aaaa typed as text: a browser's own date picker follows the browser's language, not
    the page's, and would show mm/dd/yyyy on an English browser. ISO is accepted too."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(
            format="%d/%m/%Y",
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": "dd/mm/aaaa",
                "inputmode": "numeric",
            },
            **kwargs,
        )


def _sm(widget: forms.Widget, select: bool = False) -> forms.Widget:
    widget.attrs.setdefault(
        "class", "form-select form-select-sm" if select else "form-control form-control-sm"
    )
    return widget


class ActionForm(forms.Form):
    """A collection action. The call center records calls only (its kinds are cut down to that)."""

    kind = forms.ChoiceField(
        label="Tipo de gestión",
        choices=[(k, v) for k, v in ActionKind.choices if k != ActionKind.LETTER]
        + [(ActionKind.LETTER, "Carta (entregada o enviada)")],
        widget=_sm(forms.Select(), True),
    )
    contact = ContactChoiceField(
        label="Contacto",
        queryset=Contact.objects.none(),
        required=False,
        empty_label="— ninguno de la lista —",
        widget=_sm(forms.Select(), True),
    )
    contact_person = forms.CharField(
        label="Persona contactada (si no está en la lista)",
        max_length=200,
        required=False,
        widget=_sm(forms.TextInput()),
    )
    outcome = forms.ModelChoiceField(
        label="Resultado",
        queryset=ActionOutcome.objects.filter(active=True),
        empty_label="— elija —",
        widget=_sm(forms.Select(), True),
    )
    notes = forms.CharField(label="Notas", required=False, widget=_sm(forms.Textarea(attrs={"rows": 2})))
    next_action_on = UserDateField(
        label="Próxima gestión", subject="fecha de la próxima gestión", required=False, widget=DateInput()
    )
    promise_amount = forms.DecimalField(
        label="Promesa de pago: monto ($)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=_sm(forms.NumberInput(attrs={"step": "0.01"})),
    )
    promise_date = UserDateField(
        label="Promesa de pago: fecha", subject="fecha prometida", required=False, widget=DateInput()
    )

    def __init__(self, *args, case: CaseFile | None = None, calls_only: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _case_contacts(case)  # type: ignore[attr-defined]
        if calls_only:
            self.fields["kind"].choices = [(ActionKind.CALL, ActionKind.CALL.label)]


class DocumentForm(forms.Form):
    """A document uploaded to the case file. Like every secondary form of the case page its fields
    carry a prefix («documento-…»): the page holds five forms and no id may repeat (issue 16)."""

    prefix = "documento"

    file = forms.FileField(
        label="Archivo (PDF, JPG, PNG, DOCX o XLSX; máximo 20 MB)",
        widget=_sm(forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"})),
    )
    doc_type = forms.ChoiceField(
        label="Tipo de documento", choices=DocumentType.choices, widget=_sm(forms.Select(), True)
    )
    title = forms.CharField(label="Título", max_length=200, widget=_sm(forms.TextInput()))
    document_date = UserDateField(
        label="Fecha del documento", subject="fecha del documento", required=False, widget=DateInput()
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_DOCUMENT_BYTES:  # refused before reading it into memory
            raise forms.ValidationError(
                f"El archivo pesa {uploaded.size / 1024 / 1024:.1f} MB; el máximo es {MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
            )
        return uploaded


class LetterForm(forms.Form):
    """A collection letter generated into the case file; prefix «carta» (its «next_action_on» would
    otherwise repeat the action form's id on the same page)."""

    prefix = "carta"

    letter_type = forms.ChoiceField(
        label="Carta", choices=LetterType.choices, widget=_sm(forms.Select(), True)
    )
    next_action_on = UserDateField(
        label="Próxima gestión (opcional)",
        subject="fecha de la próxima gestión",
        required=False,
        widget=DateInput(),
        help_text="Vacía: el plazo de respuesta, sin cambiar la fecha que ya tenga el expediente.",
    )


class EmailLetterForm(LetterForm):
    """The notice e-mailed (PDF attached) to a contact with an e-mail, or to an address typed. Its
    fields carry the prefix «correo» (the page also has the letter form, with the same names)."""

    prefix = "correo"

    contact = ContactChoiceField(
        label="Enviar a (contacto)",
        queryset=Contact.objects.none(),
        required=False,
        empty_label="— otro correo —",
        widget=_sm(forms.Select(), True),
    )
    email = forms.EmailField(
        label="Otro correo",
        required=False,
        max_length=254,
        widget=_sm(forms.EmailInput(attrs={"placeholder": "nombre@empresa.com.sv"})),
        error_messages={"invalid": "Escriba un correo válido, p. ej. nombre@empresa.com.sv."},
    )

    def __init__(self, *args, case: CaseFile | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = _case_contacts(case, with_email=True)  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not data.get("contact") and not data.get("email") and "email" not in self.errors:
            raise forms.ValidationError("Elija un contacto con correo o escriba el correo del destinatario.")
        return data


class TransitionForm(forms.Form):
    """A state change of the case file decided by a person; prefix «estado»."""

    prefix = "estado"

    to_state = forms.ChoiceField(label="Nuevo estado", choices=(), widget=_sm(forms.Select(), True))
    close_reason = forms.ChoiceField(
        label="Motivo de cierre",
        choices=[("", "—")] + list(CloseReason.choices),
        required=False,
        widget=_sm(forms.Select(), True),
    )
    reason = forms.CharField(label="Motivo del cambio", max_length=500, widget=_sm(forms.TextInput()))

    def __init__(self, *args, case: CaseFile, is_head: bool, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Only what a person decides: the agreement's states follow the agreement, never this form.
        self.fields["to_state"].choices = [
            (s, label) for s, label in case.manual_transitions() if is_head or s not in RESTRICTED_TARGETS
        ]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(ReviewStatus.REVIEWED, "Revisada"), (ReviewStatus.RETURNED, "Devolver al gestor")],
        widget=forms.HiddenInput(),
    )
    comment = forms.CharField(
        label="Comentario", max_length=2000, required=False, widget=_sm(forms.TextInput())
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Respuesta a la jefatura", max_length=2000, widget=_sm(forms.TextInput()))


STATE_BADGES = {
    CaseState.OPEN: "secondary",
    CaseState.IN_COLLECTION: "primary",
    CaseState.AGREEMENT: "info",
    CaseState.FULFILLED: "success",
    CaseState.LAPSED: "danger",
    CaseState.REFERRED_TO_LEGAL: "dark",
    CaseState.CLOSED: "light",
}
