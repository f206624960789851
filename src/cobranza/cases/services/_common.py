"""Helpers shared by the cases services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from cobranza.common import roles
from cobranza.common.errors import ApplicationError
from cobranza.employers.models import Employer
from cobranza.employers.selectors import visible_employers


def full_clean(instance: Any, **kwargs: Any) -> None:
    """`full_clean()` whose failure is an ApplicationError with the Spanish messages."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        if hasattr(error, "message_dict"):
            labels = {f.name: str(f.verbose_name) for f in instance._meta.fields}
            text = " ".join(
                f"{labels.get(field, field).capitalize() if field != '__all__' else ''}: {' '.join(msgs)}".lstrip(
                    ": "
                )
                for field, msgs in error.message_dict.items()
            )
        else:
            text = " ".join(error.messages)
        raise ApplicationError(f"Datos no válidos. {text}") from error


def is_person(actor: User | None) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def require_visible(actor: User | None, employer: Employer) -> None:
    """A person acting must be allowed to see the employer (the system, `actor=None`, always is)."""
    if actor is None:
        return
    if not visible_employers(user=actor).filter(pk=employer.pk).exists():
        raise ApplicationError(f"No tiene acceso al patrono {employer.employer_number}.")


def require_role(actor: User | None, *allowed: str, message: str) -> None:
    if actor is not None and not roles.has_role(actor, *allowed):
        raise ApplicationError(message)


# Who works cases: collectors, heads, the call center (call outcomes), administrators.
CASE_WORKERS = (
    roles.Role.COLLECTOR,
    roles.Role.DEPARTMENT_HEAD,
    roles.Role.BRANCH_HEAD,
    roles.Role.CALL_CENTER,
    roles.Role.ADMIN,
)
HEADS_AND_ADMIN = (roles.Role.DEPARTMENT_HEAD, roles.Role.BRANCH_HEAD, roles.Role.ADMIN)
