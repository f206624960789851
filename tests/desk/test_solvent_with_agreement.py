"""«Solvente con convenio» (SPEC §4): every overdue period is in an agreement that is up to date."""

from datetime import date
from decimal import Decimal

import pytest

from cobranza.desk import services
from cobranza.desk.solvency import SOLVENT_WITH_AGREEMENT
from cobranza.ledger.services import InstallmentTerms, agreement_terms_record
from tests.factories import PaymentFactory


def _agreement(world):
    """Debt fixed at 01/05/2024 (months late then: 3, 2 and 1): 108.15 + 107.10 + 106.05 = 321.30.
    Down payment 64.26 (paid 02/05/2024), three installments of 85.68 principal, no interest,
    due 15/06, 15/07 and 15/08/2024 (64.26 + 3 × 85.68 = 321.30)."""
    PaymentFactory(
        employer=world.own,
        payment_id="DP-1",
        paid_on=date(2024, 5, 2),
        amount=Decimal("64.26"),
        reference="CP-000001",
    )
    agreement_terms_record(
        actor=None,
        employer=world.own,
        number="CP-000001",
        drafted_on=date(2024, 5, 1),
        signed_on=date(2024, 5, 2),
        periods=["2024-01", "2024-02", "2024-03"],
        down_payment_cents=6426,
        down_payment_payment_id="DP-1",
        installments=[
            InstallmentTerms(number=n, due_date=date(2024, m, 15), principal_cents=8568, interest_cents=0)
            for n, m in ((1, 6), (2, 7), (3, 8))
        ],
    )


@pytest.mark.django_db
def test_agreement_up_to_date_makes_the_employer_solvent_with_agreement(three_periods):
    world = three_periods
    _agreement(world)
    # installment 1 (due 15/06) unpaid at 30/06: not up to date → refused
    refused = services.solvency_check(employer=world.own)
    assert not refused.solvent
    assert "CP-000001" in refused.reason
    PaymentFactory(
        employer=world.own,
        payment_id="I-1",
        paid_on=date(2024, 6, 14),
        amount=Decimal("85.68"),
        reference="CP-000001",
    )
    result = services.solvency_check(employer=world.own)
    assert result.standing == SOLVENT_WITH_AGREEMENT, result.reason
    assert result.agreements == ["CP-000001"]
    request = services.solvency_issue(actor=world.users.atencion, employer=world.own)
    assert request.issued and request.standing == "solvente con convenio"
