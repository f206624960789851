"""The audit list page (heads and administrators): every event as a Spanish sentence, filtered
by type, dates and user, paginated; the raw event only for administrators."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cobranza.common import roles, selectors
from cobranza.common.audit_display import action_choices, describe_events
from cobranza.common.forms import UserDateField
from cobranza.common.sanitize import paginate

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    tipo = forms.ChoiceField(label="Tipo de evento", required=False)
    desde = UserDateField(label="Desde", subject="fecha «desde»", required=False)
    hasta = UserDateField(label="Hasta", subject="fecha «hasta»", required=False)
    usuario = forms.TypedChoiceField(label="Usuario", required=False, coerce=int, empty_value=None)
    patrono = forms.CharField(label="Número patronal", required=False, max_length=20)

    def __init__(self, *args, actors: list[tuple[int, str]], **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["tipo"].choices = [("", "Todos los tipos"), *action_choices()]
        self.fields["usuario"].choices = [("", "Todos los usuarios"), *actors]
        for name, f in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(f, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            f.widget.attrs.update({"class": css, "id": f"id_{name}"})
        for name in ("desde", "hasta"):
            self.fields[name].widget.attrs.update({"placeholder": "dd/mm/aaaa", "inputmode": "numeric"})

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            raise forms.ValidationError("La fecha «desde» es posterior a la fecha «hasta».")
        return data


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not roles.can_read_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, actors=selectors.audit_actors(user=request.user))
    filters = selectors.AuditFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.AuditFilters(
            action=data["tipo"] or "",
            date_from=data["desde"],
            date_to=data["hasta"],
            actor_id=data["usuario"],
            employer_number=(data["patrono"] or "").strip(),
        )
    page = paginate(request, selectors.audit_list(user=request.user, filters=filters), PER_PAGE)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "common/audit_list.html",
        {
            "form": form,
            "page": page,
            "views": describe_events(page.object_list),
            "query": query.urlencode(),
            "show_technical": roles.is_admin(request.user),
        },
    )
