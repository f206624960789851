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
# Who works a case file fully (letters, documents, opening, states): the portfolio's collector and
# the heads. The call center only records call outcomes on the cases of its list (issue 14) and
# reads the rest; legal adds documents and opens cases for its referrals.
CASE_OWNERS = (roles.Role.COLLECTOR, *HEADS_AND_ADMIN)
LETTER_WRITERS = CASE_OWNERS
DOCUMENT_WRITERS = (*CASE_OWNERS, roles.Role.LEGAL)
CASE_OPENERS = (*CASE_OWNERS, roles.Role.LEGAL)


def is_call_center_only(user: Any) -> bool:
    """The call center without a wider role (a head who is also on the call center is a head)."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and roles.has_role(user, roles.Role.CALL_CENTER)
        and not roles.has_role(user, *CASE_OWNERS)
    )


def on_call_center_list(case: Any) -> bool:
    """Whether the case is on the call center's list (SPEC §6-§7): the employer has an active or
    lapsed agreement (the list shows it once an installment is overdue), or the case has a broken
    promise to pay.

    The agreements are read by model name (`apps.get_model`), as `agreements.cases_link` reads
    cases: the two feature apps do not import each other's modules."""
    from django.apps import apps

    from cobranza.cases.models import PaymentPromise, PromiseStatus

    if PaymentPromise.objects.filter(case_id=case.pk, status=PromiseStatus.BROKEN).exists():
        return True
    try:
        agreement_model = apps.get_model("agreements", "Agreement")
    except LookupError:
        return False
    # Any active or lapsed agreement: the call center follows those agreements (its list shows them
    # once an installment is overdue; a call the day it falls due is part of the same work).
    return agreement_model.objects.filter(
        employer_id=case.employer_id, state__in=["active", "lapsed"]
    ).exists()


def require_call_center_scope(actor: Any, case: Any, *, kind: str) -> None:
    """The call center records call outcomes (and promises) on the cases of its list, nothing else."""
    if not is_call_center_only(actor):
        return
    if kind != "call":
        raise ApplicationError("El centro de llamadas solo registra llamadas, no otro tipo de gestión.")
    if not on_call_center_list(case):
        raise ApplicationError(
            f"El expediente {case.code} no está en la lista del centro de llamadas (convenios en mora y "
            "promesas incumplidas): puede consultarlo, pero no registrar gestiones."
        )


def may_record_actions(user: Any, case: Any) -> bool:
    """Whether the user's role lets it record actions on this case (visibility is checked apart):
    collectors and heads on any case they see, the call center only on the cases of its list."""
    if user is None or not roles.has_role(user, *CASE_WORKERS):
        return False
    return not is_call_center_only(user) or on_call_center_list(case)
