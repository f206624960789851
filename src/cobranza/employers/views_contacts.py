"""The employer's contacts page: collectors (of their portfolio) and heads (of their scope) add,
correct and retire phones, e-mails and contact persons. An employer the user may not see is 404;
a role that does not keep contacts is 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cobranza.common.errors import ApplicationError
from cobranza.employers import selectors, services
from cobranza.employers.forms_contacts import ContactForm, RetireForm
from cobranza.employers.models import Contact, Employer
from cobranza.employers.submissions import once_per_submission

EDIT_PREFIX = "corregir"  # the page has both forms: their fields must not share ids


def _employer(request: HttpRequest, employer_number: str) -> Employer:
    try:
        employer = selectors.employer_detail(user=request.user, employer_number=employer_number)
    except Employer.DoesNotExist:
        raise Http404("Patrono no encontrado") from None
    if not services.can_edit_contacts(request.user):
        raise PermissionDenied("Solo el gestor de cobros del patrono o una jefatura modifican sus contactos.")
    return employer


def _contact(employer: Employer, pk: int) -> Contact:
    contact = Contact.objects.filter(employer=employer, pk=pk).first()
    if contact is None:
        raise Http404("Contacto no encontrado")
    return contact


def _page(
    request: HttpRequest,
    employer: Employer,
    *,
    form: ContactForm | None = None,
    status: int = 200,
    editing: Contact | None = None,
    edit_form: ContactForm | None = None,
) -> HttpResponse:
    contacts = list(Contact.objects.filter(employer=employer).order_by("-active", "-is_primary", "name"))
    return render(
        request,
        "employers/contacts.html",
        {
            "employer": employer,
            "contacts": contacts,
            "form": form or ContactForm(),
            "editing": editing,
            "edit_form": edit_form,
            "retire_form": RetireForm(),
            "next": request.GET.get("volver", ""),
        },
        status=status,
    )


@login_required
@once_per_submission
def contacts_page(request: HttpRequest, employer_number: str) -> HttpResponse:
    """GET: the contacts (active first, the retired ones with why); POST: add one."""
    employer = _employer(request, employer_number)
    if request.method != "POST":
        editing = None
        edit_form = None
        if request.GET.get("corregir", "").isdigit():
            editing = _contact(employer, int(request.GET["corregir"]))
            edit_form = ContactForm(
                prefix=EDIT_PREFIX,
                initial={
                    f: getattr(editing, f) for f in ("name", "position", "phone", "email", "is_primary")
                },
            )
        return _page(request, employer, editing=editing, edit_form=edit_form)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.contact_add(
                actor=request.user,
                employer=employer,
                name=data["name"],
                position=data["position"],
                phone=data["phone"],
                email=data["email"],
                is_primary=data["is_primary"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Contacto «{contact.name}» agregado.")
            return redirect("employers:contacts", employer_number=employer.employer_number)
    return _page(request, employer, form=form, status=400)


@login_required
@require_POST
@once_per_submission
def contact_edit(request: HttpRequest, employer_number: str, pk: int) -> HttpResponse:
    employer = _employer(request, employer_number)
    contact = _contact(employer, pk)
    form = ContactForm(request.POST, prefix=EDIT_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_update(
                actor=request.user,
                contact=contact,
                name=data["name"],
                position=data["position"],
                phone=data["phone"],
                email=data["email"],
                is_primary=data["is_primary"],
                reason=data["reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Contacto «{data['name']}» corregido.")
            return redirect("employers:contacts", employer_number=employer.employer_number)
    return _page(request, employer, status=400, editing=contact, edit_form=form)


@login_required
@require_POST
@once_per_submission
def contact_retire(request: HttpRequest, employer_number: str, pk: int) -> HttpResponse:
    employer = _employer(request, employer_number)
    contact = _contact(employer, pk)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique por qué se retira el contacto.")
        return redirect("employers:contacts", employer_number=employer.employer_number)
    try:
        services.contact_retire(actor=request.user, contact=contact, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Contacto «{contact.name}» retirado.")
    return redirect("employers:contacts", employer_number=employer.employer_number)
