"""Shared steps of the agreement tests."""

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.test import override_settings

from cobranza.agreements import services
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


@contextmanager
def business_day(day: date):
    """Run as if "today" (the business date, COBRANZA_BUSINESS_DATE) were `day`: drafts are dated
    on the business date and cannot be back-dated, so a test drafts on the day it needs."""
    with override_settings(COBRANZA_BUSINESS_DATE=day):
        yield day


def draft_e2(agr, *, installments: int = 6, down: str = "286.98", actor=None):
    """A draft of 100000002 dated on the worked examples' date (the business date set to AS_OF)."""
    with business_day(AS_OF):
        return services.agreement_draft(
            actor=actor or agr.users.gestor1,
            employer=agr.e2,
            down_payment=down,
            installments=installments,
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
    """The employer's statement with its agreements (or, frozen=False, as if there were none),
    computed from the same rows `ledger.selectors.statement_for_employer` reads."""
    from cobranza.ledger import selectors as ledger

    return compute_statement(
        employer_number=employer.employer_number,
        declarations=ledger._declarations_in(employer, as_of),
        payments=ledger.payments_in(employer, as_of),
        as_of=as_of,
        policy=ledger.policy_timeline(),
        agreements=ledger.agreements_in(employer, as_of) if frozen else (),
    )


def exacta(world):
    """Ferretería La Exacta (100000461), in gestor1's portfolio: January and February 2024 declared
    on time, each $456.89 of contribution (employer $319.89 + worker $137.00). January falls due
    on 14/02/2024 and owes $461.46 on 01/03/2024 (1 % of surcharge, $4.57); February falls due on
    14/03/2024."""
    from cobranza.ledger.models import Declaration
    from cobranza.portfolio.models import Assignment
    from tests.factories import EmployerFactory

    employer = EmployerFactory(
        employer_number="100000461", legal_name="Ferretería La Exacta, S.A. de C.V.", branch=world.branches.ss
    )
    for period, filed_on in (("2024-01", date(2024, 2, 5)), ("2024-02", date(2024, 3, 5))):
        Declaration.objects.create(
            employer=employer,
            period=period,
            workers=3,
            salary_base=Decimal("4566.67"),
            employer_contribution=Decimal("319.89"),
            worker_contribution=Decimal("137.00"),
            filed_on=filed_on,
            origin="employer",
        )
    Assignment.objects.create(employer=employer, collector=world.users.gestor1, reason="prueba")
    return employer
