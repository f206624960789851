"""Shared steps of the agreement tests."""

from datetime import date
from decimal import Decimal

from cobranza.agreements import services
from cobranza.agreements.selectors import freezes_for
from cobranza.engine.statement import compute_statement
from cobranza.ledger.models import Payment

AS_OF = date(2024, 6, 30)  # the worked examples' date: 100000002 owes $1,434.90


def pay(
    employer, payment_id: str, paid_on: date, amount: str, period: str = "", reference: str = ""
) -> Payment:
    return Payment.objects.create(
        payment_id=payment_id,
        employer=employer,
        paid_on=paid_on,
        amount=Decimal(amount),
        period=period,
        channel="banco",
        reference=reference,
    )


def draft_e2(agr, *, installments: int = 6, down: str = "286.98", actor=None):
    return services.agreement_draft(
        actor=actor or agr.users.gestor1,
        employer=agr.e2,
        down_payment=down,
        installments=installments,
        as_of=AS_OF,
    )


def active_e2(agr, *, installments: int = 6, down: str = "286.98", paid_on: date = date(2024, 7, 5)):
    """Drafted by gestor1, approved by jefe, down payment paid on `paid_on`."""
    agreement = draft_e2(agr, installments=installments, down=down)
    services.agreement_approve(actor=agr.users.jefe, agreement=agreement)
    payment = pay(agr.e2, "PRIMA-1", paid_on, down)
    return services.agreement_register_down_payment(
        actor=agr.users.gestor1, agreement=agreement, payment=payment
    )


def statement(employer, as_of: date, *, frozen: bool = True):
    """The employer's statement with the freezes agreements give (or, frozen=False, without any),
    computed from the same rows `ledger.selectors.statement_for_employer` reads."""
    from cobranza.ledger import selectors as ledger

    return compute_statement(
        employer_number=employer.employer_number,
        declarations=ledger._declarations_in(employer, as_of),
        payments=ledger._payments_in(employer, as_of),
        as_of=as_of,
        policy=ledger.policy_for(as_of),
        freezes=freezes_for(employer, as_of) if frozen else None,
    )
