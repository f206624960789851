"""Writes of the employer registry done by people on the pages: the employers' contacts (SPEC §7,
issue 14). Collectors (of their portfolio) and heads (of their scope) add, correct and retire the
phones, e-mails and contact persons of the employers they can see; every change is audited
(`employer.contact_added`, `employer.contact_updated`, `employer.contact_retired`). Contacts are
never deleted: the collection actions that name one keep it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cobranza.common import audit, roles
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Contact, Employer
from cobranza.employers.selectors import visible_employers

CONTACT_FIELDS = ("name", "position", "phone", "email", "is_primary")
CONTACT_LABELS = {
    "name": "Nombre",
    "position": "Cargo",
    "phone": "Teléfono",
    "email": "Correo",
    "is_primary": "Principal",
}
# Who keeps the contacts: the collector of the employer's portfolio and the heads (and the
# administrator); visibility does the "of the portfolio / of the branch" part.
CONTACT_EDITORS = (roles.Role.COLLECTOR, roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.ADMIN)


def can_edit_contacts(user: Any) -> bool:
    return user is not None and roles.has_role(user, *CONTACT_EDITORS)


def _require_editor(actor: Any, employer: Employer) -> None:
    if not can_edit_contacts(actor):
        raise ApplicationError(
            "Solo el gestor de cobros del patrono o una jefatura pueden modificar sus contactos."
        )
    if not visible_employers(user=actor).filter(pk=employer.pk).exists():
        raise ApplicationError(f"No tiene acceso al patrono {employer.employer_number}.")


def _clean(contact: Contact) -> None:
    try:
        contact.full_clean()
    except ValidationError as error:
        labels = {f.name: str(f.verbose_name) for f in Contact._meta.fields}
        parts = [
            f"{labels.get(field, field).capitalize()}: {' '.join(msgs)}"
            for field, msgs in error.message_dict.items()
        ]
        raise ApplicationError("Contacto no válido. " + " ".join(parts)) from error


def _values(*, name: str, position: str, phone: str, email: str, is_primary: bool) -> dict[str, Any]:
    values = {
        "name": " ".join((name or "").split()),
        "position": " ".join((position or "").split()),
        "phone": " ".join((phone or "").split()),
        "email": (email or "").strip().lower(),
        "is_primary": bool(is_primary),
    }
    if not values["name"]:
        raise ApplicationError("Indique el nombre de la persona de contacto.")
    if not values["phone"] and not values["email"]:
        raise ApplicationError(f"Indique al menos un teléfono o un correo de «{values['name']}».")
    if values["phone"] and not any(c.isdigit() for c in values["phone"]):
        raise ApplicationError(f"Teléfono no válido: «{values['phone']}» (use números, p. ej. 2222-3333).")
    return values


def _single_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(employer_id=contact.employer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def contact_add(
    *,
    actor: Any,
    employer: Employer,
    name: str,
    position: str = "",
    phone: str = "",
    email: str = "",
    is_primary: bool = False,
) -> Contact:
    """Add a contact of the employer (a new primary one replaces the previous primary)."""
    _require_editor(actor, employer)
    values = _values(name=name, position=position, phone=phone, email=email, is_primary=is_primary)
    contact = Contact(employer=employer, **values)
    _clean(contact)
    contact.save()
    _single_primary(contact)
    audit.record(
        actor=actor,
        action="employer.contact_added",
        obj=contact,
        employer_number=employer.employer_number,
        after=audit.snapshot(contact, CONTACT_FIELDS),
    )
    return contact


@transaction.atomic
def contact_update(
    *,
    actor: Any,
    contact: Contact,
    name: str,
    position: str = "",
    phone: str = "",
    email: str = "",
    is_primary: bool = False,
    reason: str = "",
) -> Contact:
    """Correct a contact; only the fields that changed are recorded (before and after)."""
    contact = Contact.objects.select_for_update().select_related("employer").get(pk=contact.pk)
    _require_editor(actor, contact.employer)
    if not contact.active:
        raise ApplicationError(f"El contacto «{contact.name}» está retirado: no se corrige.")
    values = _values(name=name, position=position, phone=phone, email=email, is_primary=is_primary)
    changed = [f for f in CONTACT_FIELDS if getattr(contact, f) != values[f]]
    if not changed:
        return contact
    before = {f: getattr(contact, f) for f in changed}
    for field in changed:
        setattr(contact, field, values[field])
    _clean(contact)
    contact.save()
    _single_primary(contact)
    audit.record(
        actor=actor,
        action="employer.contact_updated",
        obj=contact,
        employer_number=contact.employer.employer_number,
        before=before,
        after={f: values[f] for f in changed},
        reason=(reason or "").strip(),
    )
    return contact


@transaction.atomic
def contact_retire(*, actor: Any, contact: Contact, reason: str) -> Contact:
    """Retire a contact that no longer works (left the company, wrong number): it stays in the
    history of the actions that named it, but is no longer offered."""
    contact = Contact.objects.select_for_update().select_related("employer").get(pk=contact.pk)
    _require_editor(actor, contact.employer)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(f"Indique por qué se retira el contacto «{contact.name}».")
    if not contact.active:
        raise ApplicationError(f"El contacto «{contact.name}» ya estaba retirado.")
    contact.active = False
    contact.is_primary = False
    contact.retired_at = timezone.now()
    contact.retired_reason = reason[:300]
    _clean(contact)
    contact.save()
    audit.record(
        actor=actor,
        action="employer.contact_retired",
        obj=contact,
        employer_number=contact.employer.employer_number,
        before={"active": True},
        after={"active": False},
        reason=reason,
    )
    return contact
