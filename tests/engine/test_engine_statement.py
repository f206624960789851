"""Scenario tests of SPEC §5 rules beyond the worked examples."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from cobranza.engine.calendar import due_date
from cobranza.engine.policy import default_policy
from cobranza.engine.statement import (
    DeclarationIn,
    PaymentIn,
    Statement,
    check_declaration_amounts,
    compute_statement,
)
from cobranza.engine.timeline import Amnesty, PolicyTimeline

P = default_policy()
# 2024-01 is due 2024-02-14, 2024-02 on 2024-03-14, 2024-03 on 2024-04-12


def _stmt(decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, **kw: object) -> Statement:
    policy = kw.pop("policy", P)
    return compute_statement(
        employer_number="X",
        declarations=decls,
        payments=pays,
        as_of=as_of,
        policy=policy,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def on_time(period: str, cents: int) -> DeclarationIn:
    return DeclarationIn(period, cents, due_date(period, P), "employer")


def test_only_periods_begun_and_payments_made_by_as_of_count() -> None:
    decls = [on_time("2024-01", 10000), on_time("2024-02", 10000)]
    pays = [PaymentIn("A", date(2024, 2, 1), 10000, "2024-01"), PaymentIn("B", date(2024, 2, 2), 5000)]
    s = _stmt(decls, pays, date(2024, 2, 1))
    assert [ln.period for ln in s.periods] == ["2024-01", "2024-02"]
    assert s.line("2024-01").status == "paid"
    assert s.totals.outstanding_cents == 10000
    s = _stmt(decls, pays, date(2024, 1, 31))
    assert [ln.period for ln in s.periods] == ["2024-01"]
    assert s.line("2024-01").status == "not_due"
    assert s.line("2024-01").contribution_outstanding_cents == 10000


def test_not_due_when_due_date_is_on_or_after_as_of() -> None:
    s = _stmt([on_time("2024-01", 10000)], [], date(2024, 2, 14))
    assert s.line("2024-01").status == "not_due"
    assert s.line("2024-01").months_late == 0
    s = _stmt([on_time("2024-01", 10000)], [], date(2024, 2, 15))
    assert s.line("2024-01").status == "unpaid"
    assert s.line("2024-01").months_late == 1
    assert s.line("2024-01").surcharge_cents == 100


def test_referenced_period_first_then_oldest_first() -> None:
    decls = [on_time("2024-01", 10000), on_time("2024-02", 10000), on_time("2024-03", 10000)]
    pays = [PaymentIn("A", date(2024, 4, 1), 15000, "2024-03")]
    s = _stmt(decls, pays, date(2024, 4, 1))
    assert s.line("2024-03").contribution_paid_cents == 10000
    # the rest goes to the oldest period: contribution first, then surcharge accrued so far
    jan = s.line("2024-01")
    assert jan.contribution_paid_cents == 5000
    assert s.line("2024-02").contribution_paid_cents == 0
    assert [(a.period, a.component, a.cents) for a in s.allocations] == [
        ("2024-03", "contribution", 10000),
        ("2024-01", "contribution", 5000),
    ]


def test_undeclared_reference_goes_oldest_first() -> None:
    decls = [on_time("2024-01", 10000), on_time("2024-02", 10000)]
    pays = [PaymentIn("A", date(2024, 2, 10), 10000, "2023-05")]
    s = _stmt(decls, pays, date(2024, 2, 10))
    assert s.line("2024-01").contribution_paid_cents == 10000


def test_payment_only_reaches_periods_begun_by_its_date() -> None:
    decls = [on_time("2024-01", 10000), on_time("2024-02", 10000)]
    pays = [PaymentIn("A", date(2024, 1, 20), 15000)]  # February had not begun
    s = _stmt(decls, pays, date(2024, 2, 10))
    assert s.line("2024-01").contribution_paid_cents == 10000
    assert s.line("2024-02").contribution_paid_cents == 0
    assert s.credit_cents == 5000


def test_surcharge_only_payable_once_accrued_and_credit_never_applied() -> None:
    # payment on time: nothing accrued, the extra is credit and stays credit later
    pays = [PaymentIn("A", date(2024, 2, 10), 12000, "2024-01")]
    s = _stmt([on_time("2024-01", 10000)], pays, date(2024, 12, 31))
    line = s.line("2024-01")
    assert line.status == "paid" and line.surcharge_cents == 0 and line.months_late == 0
    assert s.credit_cents == 2000


def test_fine_owed_only_from_the_day_after_due_date() -> None:
    oficio = DeclarationIn("2024-01", 10000, None, "de_oficio")
    pays = [PaymentIn("A", date(2024, 2, 14), 12500, "2024-01")]  # on the due date
    s = _stmt([oficio], pays, date(2024, 2, 14))
    assert s.line("2024-01").fine_cents == 0
    assert s.credit_cents == 2500
    s = _stmt([oficio], pays, date(2024, 2, 15))
    line = s.line("2024-01")
    # SPEC §5: the credit is carried forward to what falls due; the fine falls due the day after
    assert line.fine_cents == 2500 and line.fine_paid_cents == 2500 and line.status == "paid"
    assert s.credit_cents == 0
    assert [a.paid_on for a in s.allocations_for("2024-01") if a.from_credit] == [date(2024, 2, 15)]


def test_late_filing_fine_and_switch() -> None:
    late = DeclarationIn("2024-01", 10001, date(2024, 2, 20), "employer")
    s = _stmt([late], [], date(2024, 3, 1))
    assert s.line("2024-01").fine_cents == 2500  # 25.0025 -> 25.00
    assert s.line("2024-01").fine_applies
    off = dataclasses.replace(P, fine_enabled=False)
    assert _stmt([late], [], date(2024, 3, 1), policy=off).line("2024-01").fine_cents == 0
    dated_oficio = DeclarationIn("2024-01", 10000, date(2024, 2, 1), "de_oficio")
    assert _stmt([dated_oficio], [], date(2024, 3, 1)).line("2024-01").fine_cents == 2500


def test_surcharge_cap() -> None:
    capped = dataclasses.replace(P, surcharge_max_months=3)
    s = _stmt([on_time("2024-01", 10000)], [], date(2024, 12, 31), policy=capped)
    line = s.line("2024-01")
    assert line.months_late == 11
    assert line.surcharge_cents == 300


def test_interest_actual_365_on_pieces() -> None:
    policy = dataclasses.replace(P, interest_enabled=True, interest_annual_rate=Decimal("0.10"))
    # 2024-01 due 2024-02-14; 73 days later = 2024-04-27
    s = _stmt([on_time("2024-01", 10000)], [], date(2024, 4, 27), policy=policy)
    assert s.line("2024-01").interest_cents == 200  # 100.00 × 73 × 10 % / 365 = 2.00
    assert s.line("2024-01").days_late == 73
    # half paid 37 days late: (50.00 × 37 + 50.00 × 73) × 10 % / 365 = 1.5068... -> 1.51
    pays = [PaymentIn("A", date(2024, 3, 22), 5000, "2024-01")]
    s = _stmt([on_time("2024-01", 10000)], pays, date(2024, 4, 27), policy=policy)
    assert s.line("2024-01").interest_cents == 151
    assert s.totals.interest_outstanding_cents == s.line("2024-01").interest_cents


def test_interest_paid_last_only_when_accrued() -> None:
    policy = dataclasses.replace(P, interest_enabled=True, interest_annual_rate=Decimal("0.10"))
    pays = [PaymentIn("A", date(2024, 4, 27), 20000, "2024-01")]
    s = _stmt([on_time("2024-01", 10000)], pays, date(2024, 4, 27), policy=policy)
    line = s.line("2024-01")
    assert line.contribution_paid_cents == 10000
    assert line.surcharge_paid_cents == 300  # 3 months late
    assert line.interest_paid_cents == 200
    assert line.status == "paid"
    assert s.credit_cents == 20000 - 10000 - 300 - 200


def test_custom_allocation_order() -> None:
    policy = dataclasses.replace(P, allocation_order=("fine", "surcharge", "interest", "contribution"))
    late = DeclarationIn("2024-01", 10000, date(2024, 3, 1), "employer")
    pays = [PaymentIn("A", date(2024, 3, 20), 3000, "2024-01")]
    s = _stmt([late], pays, date(2024, 3, 20), policy=policy)
    line = s.line("2024-01")
    assert line.fine_paid_cents == 2500
    assert line.surcharge_paid_cents == 200  # 2 months on 100.00
    assert line.contribution_paid_cents == 300


def test_freeze_stops_the_clock() -> None:
    decls = [on_time("2024-01", 10000)]
    frozen = {"2024-01": date(2024, 4, 1)}  # 2 months late at the freeze
    s = _stmt(decls, [], date(2024, 12, 31), freezes=frozen)
    line = s.line("2024-01")
    assert line.months_late == 2 and line.surcharge_cents == 200 and line.frozen_on == date(2024, 4, 1)
    # a payment after the freeze is charged at the freeze date too
    pays = [PaymentIn("A", date(2024, 10, 1), 10200, "2024-01")]
    s = _stmt(decls, pays, date(2024, 12, 31), freezes=frozen)
    assert s.line("2024-01").status == "paid"
    assert s.line("2024-01").surcharge_cents == 200
    assert s.credit_cents == 0
    assert "Congelado por convenio" in s.explain("2024-01")
    # without the freeze (lapsed agreement) the same payments give the full surcharge
    s = _stmt(decls, pays, date(2024, 12, 31))
    assert s.line("2024-01").surcharge_cents == 800  # 8 months at 2024-10-01


def test_freeze_before_due_date_means_no_fine() -> None:
    oficio = DeclarationIn("2024-01", 10000, None, "de_oficio")
    s = _stmt([oficio], [], date(2024, 6, 1), freezes={"2024-01": date(2024, 2, 10)})
    assert s.line("2024-01").fine_cents == 0
    assert s.line("2024-01").surcharge_cents == 0


def test_amnesty_waives_surcharge_and_fine_of_contributions_paid_in_window() -> None:
    policy = PolicyTimeline(
        versions=(P,),
        amnesties=(
            Amnesty(
                "Amnistía 2024", date(2024, 6, 1), date(2024, 6, 30), waives=frozenset({"surcharge", "fine"})
            ),
        ),
    )
    decls = [DeclarationIn("2024-01", 10000, None, "de_oficio"), on_time("2024-02", 10000)]
    pays = [PaymentIn("A", date(2024, 6, 10), 15000)]
    s = _stmt(decls, pays, date(2024, 7, 31), policy=policy)
    jan, feb = s.line("2024-01"), s.line("2024-02")
    assert jan.amnesty_waived and jan.status == "paid"
    assert jan.surcharge_cents == 0 and jan.fine_cents == 0
    # February was only half paid in the window: no waiver, surcharge on the pieces
    assert not feb.amnesty_waived
    assert feb.contribution_paid_cents == 5000
    assert feb.surcharge_cents == 5000 * 3 // 100 + 5000 * 5 // 100
    assert "amnistía (Amnistía 2024)" in s.explain("2024-01")
    # same history without amnesty: the money pays surcharge and fine too
    s = _stmt(decls, pays, date(2024, 7, 31))
    assert s.line("2024-01").surcharge_paid_cents == 400 and s.line("2024-01").fine_paid_cents == 2500


def test_zero_contribution_is_paid() -> None:
    s = _stmt([DeclarationIn("2024-01", 0, None, "de_oficio")], [], date(2024, 6, 1))
    line = s.line("2024-01")
    assert line.status == "paid" and line.outstanding_cents == 0 and line.months_late == 0


def test_months_late_of_paid_period_is_that_of_last_contribution_payment() -> None:
    pays = [PaymentIn("A", date(2024, 3, 20), 4000), PaymentIn("B", date(2024, 5, 20), 6500)]
    s = _stmt([on_time("2024-01", 10000)], pays, date(2024, 12, 31))
    line = s.line("2024-01")
    # 40.00 × 2 + 60.00 × 4 = 3.20 surcharge; B paid 60.00 + 3.20, 1.30 credit
    assert line.status == "paid" and line.months_late == 4 and line.surcharge_cents == 320
    assert s.credit_cents == 6500 - 6000 - 320
    assert [p.months_late for p in line.pieces] == [2, 4]


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="repetida"):
        _stmt([on_time("2024-01", 1), on_time("2024-01", 2)], [], date(2024, 6, 1))
    with pytest.raises(ValueError, match="repetido"):
        _stmt(
            [], [PaymentIn("A", date(2024, 1, 1), 1), PaymentIn("A", date(2024, 2, 1), 1)], date(2024, 6, 1)
        )
    with pytest.raises(ValueError):
        DeclarationIn("2024-13", 1, None, "employer")
    with pytest.raises(ValueError):
        DeclarationIn("2024-01", -1, None, "employer")
    with pytest.raises(ValueError):
        DeclarationIn("2024-01", 1, None, "inspector")
    with pytest.raises(ValueError):
        PaymentIn("A", date(2024, 1, 1), 0)
    assert PaymentIn("A", date(2024, 1, 1), 1, "").period is None


def test_summary() -> None:
    decls = [on_time("2024-01", 10000), on_time("2024-02", 10000), on_time("2024-03", 10000)]
    pays = [PaymentIn("A", date(2024, 3, 1), 10100, "2024-01")]
    s = _stmt(decls, pays, date(2024, 4, 20))
    summary = s.summary()
    assert summary.overdue_periods == 2
    assert summary.oldest_unpaid_period == "2024-02"
    assert summary.months_in_arrears == 2
    assert summary.last_payment_date == date(2024, 3, 1)
    assert summary.outstanding_cents == s.totals.outstanding_cents


def test_declaration_reconciliation_flags_without_changing() -> None:
    ok = check_declaration_amounts(
        workers=3,
        salary_base_cents=195000,
        employer_contribution_cents=14625,
        worker_contribution_cents=5850,
        policy=P,
    )
    assert ok == []
    problems = check_declaration_amounts(
        workers=2,
        salary_base_cents=250000,
        employer_contribution_cents=15000,
        worker_contribution_cents=7500,
        policy=P,
    )
    assert len(problems) == 2
    assert "supera el máximo cotizable de 2 trabajador(es) × $1,000.00 = $2,000.00" in problems[0]
    assert "La cotización patronal $150.00 no coincide con 7.5 % de $2,500.00 = $187.50" in problems[1]
