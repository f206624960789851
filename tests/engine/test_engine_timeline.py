"""Balances true over time (issue 8): worked scenarios with the figures computed by hand.

Calendar facts used below (El Salvador business days, 10th business day of the next month):
2024-01 is due 2024-02-14, 2024-02 on 2024-03-14, 2024-03 on 2024-04-12.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from cobranza.engine.calendar import due_date
from cobranza.engine.policy import default_policy
from cobranza.engine.statement import Correction, DeclarationIn, PaymentIn, Statement, compute_statement
from cobranza.engine.timeline import Amnesty, AmnestyError, PolicyTimeline, check_amnesties

P = default_policy()
SURCHARGE_2 = dataclasses.replace(
    P, version="2026.1", effective_from=date(2026, 1, 1), surcharge_monthly_rate=Decimal("0.02")
)


def _stmt(decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, policy: object = P) -> Statement:
    return compute_statement(
        employer_number="X",
        declarations=decls,
        payments=pays,
        as_of=as_of,
        policy=policy,  # type: ignore[arg-type]
    )


def on_time(period: str, cents: int, worker: int = 0) -> DeclarationIn:
    return DeclarationIn(period, cents, due_date(period, P), "employer", worker_cents=worker)


# ---------------------------------------------------------------------- policy history
def test_new_surcharge_rate_charges_only_the_months_begun_after_it() -> None:
    """2024-01, $105.00 filed on time, never paid; surcharge 1 % until 2025-12-31, 2 % from 2026-01-01.

    As of 2026-01-31: due 2024-02-14 + 23 months = 2026-01-14 < 31/01 ≤ 2026-02-14 → 24 months late.
    Month k begins the day after due + (k−1) months: month 23 on 2025-12-15 (1 %), month 24 on
    2026-01-15 (2 %). Surcharge = 105.00 × (23 × 1 % + 1 × 2 %) = 105.00 × 25 % = 26.25
    (not 24 × 2 % = 50.40). As of 2025-12-31 (23 months, all at 1 %): 105.00 × 23 % = 24.15, the
    same with or without the new version: a new version never changes a figure of the past.
    """
    tl = PolicyTimeline(versions=(P, SURCHARGE_2))
    decl = [on_time("2024-01", 10500)]
    line = _stmt(decl, [], date(2026, 1, 31), tl).line("2024-01")
    assert line.months_late == 24 and line.surcharge_cents == 2625
    assert _stmt(decl, [], date(2025, 12, 31), tl).line("2024-01").surcharge_cents == 2415
    assert _stmt(decl, [], date(2025, 12, 31), P).line("2024-01").surcharge_cents == 2415
    text = _stmt(decl, [], date(2026, 1, 31), tl).explain("2024-01")
    assert "meses 1 a 23 al 1 % (política 2024.1)" in text and "mes 24 al 2 % (política 2026.1)" in text
    assert "$105.00 pendientes al 31/01/2026 × (23 × 1 % + 1 × 2 %)" in text


def test_new_due_date_rule_does_not_make_a_past_period_late() -> None:
    """A version moving the due date to the 5th business day from 2026-01-01 decides only periods
    filed from then on (the version in force on the first day of the month after the period).

    2024-01 paid $105.00 on 2024-02-14 (its 10th-business-day due date): paid on time, surcharge
    and fine 0.00 as of 2026-06-30 whatever the new rule. 2025-12 (filed in January 2026) is due on
    the 5th business day of January 2026: Jan 1 is a holiday, so Jan 2, 5, 6, 7, 8 → 2026-01-08.
    """
    day5 = dataclasses.replace(P, version="2026.1", effective_from=date(2026, 1, 1), due_business_day=5)
    tl = PolicyTimeline(versions=(P, day5))
    s = _stmt(
        [on_time("2024-01", 10500), on_time("2025-12", 10500)],
        [PaymentIn("A", date(2024, 2, 14), 10500, "2024-01")],
        date(2026, 6, 30),
        tl,
    )
    jan = s.line("2024-01")
    assert jan.status == "paid" and jan.surcharge_cents == 0 and jan.fine_cents == 0
    assert s.line("2025-12").due_date == date(2026, 1, 8)
    assert s.line("2025-12").policy_version == "2026.1" and jan.policy_version == "2024.1"


def test_interest_is_charged_day_by_day_at_the_rate_in_force() -> None:
    """Interest off until 2024-12-31, 10 % a year from 2025-01-01; 2024-01 ($365.00) unpaid.

    As of 2025-01-10 only the days 01/01–10/01/2025 carry interest: 365.00 × 10 % × 10 / 365 = 1.00.
    """
    interest = dataclasses.replace(
        P,
        version="2025.1",
        effective_from=date(2025, 1, 1),
        interest_enabled=True,
        interest_annual_rate=Decimal("0.10"),
    )
    tl = PolicyTimeline(versions=(P, interest))
    line = _stmt([on_time("2024-01", 36500)], [], date(2025, 1, 10), tl).line("2024-01")
    assert line.interest_cents == 100


def test_dates_before_the_first_version_use_the_first_version() -> None:
    """A 1990 period is computed with the first recorded version (nothing older is known)."""
    s = _stmt([DeclarationIn("1990-01", 10000, date(1990, 2, 1), "employer")], [], date(1990, 3, 31))
    assert s.policy_version == "2024.1" and s.line("1990-01").fine_cents == 0


# ---------------------------------------------------------------------- amnesties as records
def test_a_later_version_does_not_cancel_an_amnesty_and_two_can_exist() -> None:
    """Amnesty A (01/06–30/06/2024, waives surcharge and fine) and amnesty B (01/03–31/03/2025);
    a later unrelated version (interest on from 2026) changes nothing of either.

    2024-01 de oficio ($100.00, fine 25.00): paid 100.00 on 2024-06-10 inside A → surcharge and fine
    waived, 0.00 outstanding. 2024-02 on time ($100.00): paid 100.00 on 2025-03-10 inside B →
    waived too. As of 2026-06-30 both are paid with 0.00 outstanding.
    """
    a = Amnesty("Amnistía A", date(2024, 6, 1), date(2024, 6, 30), waives=frozenset({"surcharge", "fine"}))
    b = Amnesty("Amnistía B", date(2025, 3, 1), date(2025, 3, 31))
    later = dataclasses.replace(
        P,
        version="2026.1",
        effective_from=date(2026, 1, 1),
        interest_enabled=True,
        interest_annual_rate=Decimal("0.06"),
    )
    decls = [DeclarationIn("2024-01", 10000, None, "de_oficio"), on_time("2024-02", 10000)]
    pays = [
        PaymentIn("P1", date(2024, 6, 10), 10000, "2024-01"),
        PaymentIn("P2", date(2025, 3, 10), 10000, "2024-02"),
    ]
    for tl in (PolicyTimeline((P,), (a, b)), PolicyTimeline((P, later), (a, b))):
        s = _stmt(decls, pays, date(2026, 6, 30), tl)
        jan, feb = s.line("2024-01"), s.line("2024-02")
        assert jan.waived_by == ("Amnistía A",) and jan.outstanding_cents == 0 and jan.fine_cents == 0
        assert feb.waived_by == ("Amnistía B",) and feb.outstanding_cents == 0
        assert s.totals.outstanding_cents == 0


def test_without_the_amnesty_the_same_payments_leave_surcharge_owed() -> None:
    """Control for the test above: 2024-01 de oficio $100.00 paid 100.00 on 2024-06-10, no amnesty.
    The payment goes to the contribution first and nothing is left. The contribution was 4 months
    late (14/02 + 3 months = 14/05 < 10/06 ≤ 14/06) → surcharge 100.00 × 4 % = 4.00; fine 25 % ×
    100.00 = 25.00. As of 2024-06-30 outstanding = 4.00 + 25.00 = 29.00."""
    s = _stmt(
        [DeclarationIn("2024-01", 10000, None, "de_oficio")],
        [PaymentIn("P1", date(2024, 6, 10), 10000)],
        date(2024, 6, 30),
    )
    assert s.line("2024-01").outstanding_cents == 2900


def test_contradicting_overlapping_amnesties_are_refused() -> None:
    a = Amnesty("A", date(2024, 6, 1), date(2024, 6, 30))
    b = Amnesty("B", date(2024, 6, 15), date(2024, 7, 15), waives=frozenset({"fine"}))
    with pytest.raises(AmnestyError, match="se superpone"):
        check_amnesties([a, b])
    check_amnesties([a, dataclasses.replace(b, waives=a.waives)])  # same terms: no contradiction
    with pytest.raises(AmnestyError, match="no puede ser anterior"):
        Amnesty("C", date(2024, 6, 30), date(2024, 6, 1))
    with pytest.raises(AmnestyError, match="componente"):
        Amnesty.from_dict(
            {"name": "D", "start": "2024-01-01", "end": "2024-01-31", "waives": ["contribution"]}
        )


# ---------------------------------------------------------------------- credit carried forward
def test_credit_pays_a_later_period_on_its_due_date() -> None:
    """A payment of 210.00 on 2024-01-20 for 2024-01 ($105.00) leaves 105.00 of credit. On the next
    day something falls due (2024-01's due date, 14/02/2024) the credit is applied like a payment of
    that day, to every period begun by then: 2024-02 ($105.00, begun 01/02, due 14/03) is paid in
    full on 14/02: on time, no surcharge, the employer is not in arrears for it. 2024-03 ($105.00,
    due 2024-04-12) finds no credit left: as of 2024-06-30 it is 3 months late (12/04 + 2 months =
    12/06 < 30/06 ≤ 12/07) → surcharge 105.00 × 3 % = 3.15.
    """
    decls = [on_time("2024-01", 10500), on_time("2024-02", 10500), on_time("2024-03", 10500)]
    s = _stmt(decls, [PaymentIn("A", date(2024, 1, 20), 21000, "2024-01")], date(2024, 6, 30))
    feb, mar = s.line("2024-02"), s.line("2024-03")
    assert feb.status == "paid" and feb.surcharge_cents == 0 and feb.months_late == 0
    assert [(a.paid_on, a.cents, a.from_credit) for a in s.allocations_for("2024-02")] == [
        (date(2024, 2, 14), 10500, True)
    ]
    assert mar.contribution_outstanding_cents == 10500 and mar.surcharge_cents == 315
    assert s.credit_cents == 0 and s.totals.outstanding_cents == 10500 + 315
    assert "saldo a favor aplicado el 14/02/2024: $105.00" in s.explain("2024-02")
    assert s.summary().overdue_periods == 1 and s.summary().oldest_unpaid_period == "2024-03"


def test_credit_is_applied_on_the_due_date_not_before() -> None:
    """The credit above stays credit until the first due date after it: as of 2024-02-13 (before
    2024-01's due date 14/02) it is 105.00; on 2024-02-14 it pays every period begun by then
    (2024-02 began 01/02) — so 2024-02 is paid on 14/02/2024 and 0.00 credit remains."""
    decls = [on_time("2024-01", 10500), on_time("2024-02", 10500)]
    pays = [PaymentIn("A", date(2024, 1, 20), 21000, "2024-01")]
    assert _stmt(decls, pays, date(2024, 2, 13)).credit_cents == 10500
    s = _stmt(decls, pays, date(2024, 2, 14))
    assert s.credit_cents == 0
    assert [a.paid_on for a in s.allocations_for("2024-02")] == [date(2024, 2, 14)]


# ---------------------------------------------------------------------- corrections as versions
def test_downward_correction_is_never_fined_and_does_not_rewrite_the_past() -> None:
    """2024-01 filed on time (10/02/2024) for $105.00 and paid 105.00 on 14/02/2024; corrected
    downward to $94.50 on 01/06/2024.

    As of 31/03/2024 the correction does not exist yet: contribution 105.00, paid, 0.00 credit. As of
    30/06/2024 the period is 94.50 (paid in full on time, fine 0.00) and the 10.50 paid in excess is
    credit (no later period falls due to absorb it).
    """
    first = DeclarationIn(
        "2024-01", 10500, date(2024, 2, 10), "employer", corrections=(Correction(date(2024, 6, 1), 9450),)
    )
    pays = [PaymentIn("A", date(2024, 2, 14), 10500, "2024-01")]
    before = _stmt([first], pays, date(2024, 3, 31))
    assert before.line("2024-01").contribution_cents == 10500 and before.credit_cents == 0
    after = _stmt([first], pays, date(2024, 6, 30))
    line = after.line("2024-01")
    assert line.contribution_cents == 9450 and line.fine_cents == 0 and line.status == "paid"
    assert after.credit_cents == 1050
    assert "corrección del 01/06/2024: $94.50" in after.explain("2024-01")


def test_complementary_correction_after_the_due_date_is_fined_on_the_increase_only() -> None:
    """2024-01 filed on time for $105.00, corrected upward to $125.00 on 01/03/2024 (after the due
    date 14/02/2024). Fine = 25 % × (125.00 − 105.00) = 5.00. As of 31/03/2024, nothing paid:
    2 months late (14/02 + 1 = 14/03 < 31/03 ≤ 14/04) → surcharge 125.00 × 2 % = 2.50; outstanding
    125.00 + 2.50 + 5.00 = 132.50. As of 29/02/2024 (before the correction): 105.00 + 1.05, no fine.
    """
    decl = DeclarationIn(
        "2024-01", 10500, date(2024, 2, 10), "employer", corrections=(Correction(date(2024, 3, 1), 12500),)
    )
    s = _stmt([decl], [], date(2024, 3, 31))
    line = s.line("2024-01")
    assert (line.fine_base_cents, line.fine_cents, line.surcharge_cents) == (2000, 500, 250)
    assert line.outstanding_cents == 13250
    early = _stmt([decl], [], date(2024, 2, 29)).line("2024-01")
    assert (early.contribution_cents, early.fine_cents, early.surcharge_cents) == (10500, 0, 105)
    assert "solo sobre el aumento" in s.explain("2024-01")


def test_correction_filed_before_the_due_date_is_not_a_complementary_one() -> None:
    """Filed on time for $105.00 (05/02/2024) and corrected to $125.00 on 12/02/2024, still before
    the due date 14/02/2024: both versions on time, fine 0.00."""
    decl = DeclarationIn(
        "2024-01", 10500, date(2024, 2, 5), "employer", corrections=(Correction(date(2024, 2, 12), 12500),)
    )
    assert _stmt([decl], [], date(2024, 3, 31)).line("2024-01").fine_cents == 0


def test_late_first_filing_is_fined_on_the_whole_current_contribution() -> None:
    """First filed late (20/02/2024) for $100.00, corrected to $120.00 on 05/03/2024: the first
    filing decides, so the fine is 25 % × 120.00 = 30.00."""
    decl = DeclarationIn(
        "2024-01", 10000, date(2024, 2, 20), "employer", corrections=(Correction(date(2024, 3, 5), 12000),)
    )
    assert _stmt([decl], [], date(2024, 3, 31)).line("2024-01").fine_cents == 3000


# ---------------------------------------------------------------------- worker share, overdue vs current
def test_worker_share_is_paid_first_inside_the_contribution() -> None:
    """2024-01: $157.50 of which worker share $45.00; 30.00 paid on 14/02 → worker share unpaid
    45.00 − 30.00 = 15.00. 2024-02 ($157.50, worker 45.00) unpaid → 45.00. Totals: 60.00 of worker
    share withheld and not remitted."""
    decls = [on_time("2024-01", 15750, 4500), on_time("2024-02", 15750, 4500)]
    s = _stmt(decls, [PaymentIn("A", date(2024, 2, 14), 3000, "2024-01")], date(2024, 3, 31))
    assert s.line("2024-01").worker_share_outstanding_cents == 1500
    assert s.line("2024-02").worker_share_outstanding_cents == 4500
    assert s.totals.worker_share_outstanding_cents == 6000
    assert s.to_json_dict()["totals"]["worker_share_outstanding"] == "60.00"


def test_overdue_and_current_are_shown_apart() -> None:
    """As of 31/03/2024: 2024-01 (due 14/02, $105.00 unpaid, 2 months → 2.10 surcharge) is overdue:
    107.10; 2024-02 (due 14/03) is overdue too: 105.00 + 1.05 = 106.05; 2024-03 (due 12/04, $105.00)
    is current. Overdue 213.15, current 105.00, total 318.15."""
    decls = [on_time("2024-01", 10500), on_time("2024-02", 10500), on_time("2024-03", 10500)]
    s = _stmt(decls, [], date(2024, 3, 31))
    assert (s.totals.overdue_cents, s.totals.current_cents) == (21315, 10500)
    assert s.totals.outstanding_cents == 31815
    summary = s.summary()
    assert summary.overdue_outstanding_cents == 21315 and summary.current_outstanding_cents == 10500
