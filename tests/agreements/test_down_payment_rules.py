"""Issue 9, item 3: only a payment dated **after** the draft's date, not already applied to the debt,
can be the down payment; what it brings beyond the down payment is an ordinary payment.

Worked scenario (the issue's "$100.00 counted twice"). Ferretería La Exacta (100000461) owes
$461.46 for January 2024 on Friday 01/03/2024 (contribution $456.89, due 14/02/2024, plus 1 % for
its first month of delay, $4.57). That same day it pays $192.30 with no period: the statement of
01/03/2024 already counts it, so the draft of that day is for $461.46 − $192.30 = $269.16 (the
surcharge stays $4.57: the whole contribution was in its first month of delay either way).
The draft asks a down payment of $92.30 (≥ 20 % of $269.16 = $53.832 → $53.84).
- The $192.30 of 01/03/2024 covers the down payment by amount, and before this fix was taken as
  it, with its $100.00 beyond the down payment paying installment 1: $100.00 counted twice. Now it
  is refused (same day as the draft: inside the debt), is not offered, and the check ignores it.
- $92.30 paid on Monday 04/03/2024 is the down payment: financed $269.16 − $92.30 = $176.86;
  no installment is paid; January's outstanding on the statement is $176.86 too.
"""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.agreements import services
from cobranza.agreements.models import AgreementState
from cobranza.agreements.selectors import candidate_down_payments
from cobranza.common.errors import ApplicationError
from cobranza.ledger.selectors import statement_for_employer
from tests.agreements.helpers import business_day, exacta, pay

pytestmark = pytest.mark.django_db

DRAFT_DAY = date(2024, 3, 1)


@pytest.fixture
def debtor(world):
    return exacta(world)


@pytest.fixture
def approved(world, debtor):
    pay(debtor, "MISMO-DIA", DRAFT_DAY, "192.30")
    with business_day(DRAFT_DAY):
        agreement = services.agreement_draft(
            actor=world.users.gestor1, employer=debtor, down_payment="92.30", installments=3
        )
        services.agreement_approve(actor=world.users.jefe, agreement=agreement)
    return agreement


def test_the_draft_already_counts_the_payment_of_its_day(approved):
    assert approved.debt == Decimal("269.16")
    assert approved.periods == ["2024-01"]
    assert approved.financed == Decimal("176.86")


def test_a_payment_of_the_drafts_day_is_not_the_down_payment(world, debtor, approved):
    same_day = debtor.payments.get(payment_id="MISMO-DIA")
    assert candidate_down_payments(approved) == []
    with pytest.raises(ApplicationError) as info:
        services.agreement_register_down_payment(
            actor=world.users.gestor1, agreement=approved, payment=same_day
        )
    assert "del mismo día que la fecha del convenio (01/03/2024)" in info.value.message
    assert "ya está descontado de la deuda convenida" in info.value.message
    with business_day(date(2024, 3, 4)):
        result = services.agreements_check(actor=None)
    approved.refresh_from_db()
    assert result.signed == [] and approved.state == AgreementState.APPROVED


def test_a_later_payment_is_the_down_payment_and_nothing_is_counted_twice(world, debtor, approved):
    pay(debtor, "PRIMA", date(2024, 3, 4), "92.30")
    with business_day(date(2024, 3, 5)):
        result = services.agreements_check(actor=None)
    approved.refresh_from_db()
    assert result.signed == [approved.number]
    assert approved.state == AgreementState.ACTIVE and approved.down_payment_payment.payment_id == "PRIMA"
    assert approved.signed_on == date(2024, 3, 4)
    assert sum(i.paid_amount for i in approved.installments.all()) == 0
    # The statement: $461.46 − $192.30 − $92.30 = $176.86 left on January, the financed amount.
    january = statement_for_employer(debtor, date(2024, 3, 5)).line("2024-01")
    assert january.outstanding_cents == 17686


def test_the_excess_of_a_down_payment_is_ordinary_unless_it_names_the_agreement(world, debtor, approved):
    """$192.30 paid on 04/03/2024 with no reference: $92.30 is the down payment, the other $100.00 an
    ordinary payment (the statement allocates it by SPEC §5), not installment 1 in advance."""
    pay(debtor, "PRIMA+", date(2024, 3, 4), "192.30")
    with business_day(date(2024, 3, 5)):
        services.agreements_check(actor=None)
    approved.refresh_from_db()
    assert approved.down_payment_payment.payment_id == "PRIMA+"
    assert [i.paid_amount for i in approved.installments.order_by("number")] == [Decimal("0.00")] * 3
