"""The agreement's footprint in the employer's case file (cases app), when that app offers it.

The cases app is optional for agreements: every call here checks that
``cobranza.cases.services`` has the function it needs and does nothing otherwise, so agreements
work (and are tested) with or without case files.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils import timezone

from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError

logger = logging.getLogger(__name__)


def _services(*names: str) -> ModuleType | None:
    try:
        from cobranza.cases import services
    except ImportError:
        return None
    if all(callable(getattr(services, n, None)) for n in names):
        return services
    return None


def case_available() -> bool:
    return _services("case_for_employer") is not None


def case_of(*, actor: Any, employer: Any, create: bool = True) -> Any | None:
    services = _services("case_for_employer")
    if services is None:
        return None
    return services.case_for_employer(employer=employer, actor=actor, create=create)


#: The agreement state each case state follows (the case shows what its agreement is).
_AGREEMENT_STATE_OF_CASE_STATE = {"agreement": "active", "fulfilled": "fulfilled", "lapsed": "lapsed"}


def move_case(*, actor: Any, employer: Any, to_state: str, reason: str, agreement: Any = None) -> None:
    """Move the employer's case to ``to_state`` (agreement, lapsed, fulfilled) after the agreement's
    own transition: the cases app sets those states only from an agreement in the matching state
    (``case_follow_agreement``), never by hand. ``agreement`` defaults to the employer's latest
    agreement in that state. A case whose own workflow does not allow that move right now keeps its
    state: the agreement's change stands and the refusal is logged (the audit trail has the
    agreement's own events)."""
    services = _services("case_for_employer", "case_follow_agreement")
    if services is None:
        return
    if agreement is None:
        from cobranza.agreements.models import Agreement

        agreement = (
            Agreement.objects.filter(
                employer=employer, state=_AGREEMENT_STATE_OF_CASE_STATE.get(to_state, "")
            )
            .order_by("-updated_at", "-pk")
            .first()
        )
        if agreement is None:
            logger.warning(
                "Expediente de %s: ningún convenio respalda el estado %s", employer.employer_number, to_state
            )
            return
    try:
        with transaction.atomic():
            case = services.case_for_employer(employer=employer, actor=actor, create=True)
            if case is None or getattr(case, "state", None) == to_state:
                return
            services.case_follow_agreement(actor=actor, case=case, agreement=agreement, reason=reason)
    except ApplicationError as exc:
        logger.warning("Expediente de %s: no pasa a %s: %s", employer.employer_number, to_state, exc.message)


def store_document(
    *, actor: Any, employer: Any, content: bytes, filename: str, doc_type: str, title: str
) -> Any | None:
    services = _services("case_for_employer", "document_store")
    if services is None:
        return None
    with transaction.atomic():
        case = services.case_for_employer(employer=employer, actor=actor, create=True)
        return services.document_store(
            actor=actor, case=case, content=content, filename=filename, doc_type=doc_type, title=title
        )


#: Call outcomes → the administrator's collection-action outcomes (cases' default list).
OUTCOME_NAMES = {
    "promesa": "Contactado, promete pagar",
    "no_contesta": "No contesta",
    "numero_equivocado": "Número equivocado",
    "se_niega": "Se niega a pagar",
    "ya_pago": "Contactado, afirma haber pagado",
}


def _action_outcome(outcome: str, label: str) -> Any:
    from cobranza.cases.models import ActionOutcome

    name = OUTCOME_NAMES.get(outcome, label)
    found = ActionOutcome.objects.filter(name__iexact=name).first()
    if found is None:  # "Volver a llamar", "Otro": added to the list once, the admin can edit them
        found = ActionOutcome.objects.create(name=label, is_contact=outcome != "otro", order=900)
    return found


def record_call(
    *,
    actor: Any,
    employer: Any,
    called_on: date,
    outcome: str,
    label: str,
    notes: str,
    promised_amount: Decimal | None = None,
    promised_on: date | None = None,
) -> Any | None:
    """A call-center call as a collection action (kind «call») in the employer's case file. A
    promise whose date has already passed is kept in the notes (the case app only takes promises
    still to come). Returns the action, or None when cases are missing or refuse it (logged)."""
    services = _services("case_for_employer", "action_record")
    if services is None:
        return None
    now = timezone.now()
    performed_at = min(
        timezone.make_aware(datetime.combine(called_on, time(12, 0)), timezone.get_current_timezone()), now
    )
    promise = promised_amount is not None and promised_on is not None and promised_on >= business_date()
    try:
        with transaction.atomic():
            case = services.case_for_employer(employer=employer, actor=actor, create=True)
            return services.action_record(
                actor=actor,
                case=case,
                kind="call",
                outcome=_action_outcome(outcome, label),
                notes=notes,
                performed_at=performed_at,
                promise_amount=promised_amount if promise else None,
                promise_date=promised_on if promise else None,
            )
    except ApplicationError as exc:
        logger.warning(
            "Llamada de %s no registrada en el expediente: %s", employer.employer_number, exc.message
        )
        return None
