"""Agreements on the statement (issue 9 item 1): interest as a line of its own, the debt fixed at the
draft, payments of the agreement, lapse — worked scenarios with the figures computed by hand, and a
property test that the statement and the agreement tell the same story at every date.

The agreement of the scenarios: 2024-01 ($300.00, filed on time, due 2024-02-14) unpaid; drafted on
2024-04-30, when it is 3 months late (14/04 < 30/04 ≤ 14/05) → surcharge 300.00 × 3 % = 9.00, debt
309.00. Down payment 61.80 (20 %), financed 247.20 in 2 installments at 1.26 % a month:
installment = 247.20 × 0.0126 / (1 − 1.0126⁻²) = 125.5547… → 125.55; installment 1 interest
round(247.20 × 0.0126 = 3.11472) = 3.11, principal 122.44, balance 124.76; installment 2 (the last
takes the balance) interest round(124.76 × 0.0126 = 1.571976) = 1.57, principal 124.76, 126.33.
Principal 61.80 + 122.44 + 124.76 = 309.00 = the debt; interest 3.11 + 1.57 = 4.68.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobranza.engine.agreements import build_schedule
from cobranza.engine.calendar import add_months, due_date
from cobranza.engine.policy import default_policy
from cobranza.engine.statement import (
    AgreementIn,
    DeclarationIn,
    InstallmentIn,
    PaymentIn,
    Statement,
    compute_statement,
)

P = default_policy()
DECL = DeclarationIn("2024-01", 30000, due_date("2024-01", P), "employer")
SIGNED = date(2024, 5, 2)


def _agreement(*, signed_on: date | None = SIGNED, lapsed_on: date | None = None) -> AgreementIn:
    return AgreementIn(
        number="CP-000001",
        drafted_on=date(2024, 4, 30),
        signed_on=signed_on,
        periods=("2024-01",),
        down_payment_cents=6180,
        installments=(
            InstallmentIn(1, date(2024, 5, 31), 12244, 311),
            InstallmentIn(2, date(2024, 6, 30), 12476, 157),
        ),
        lapsed_on=lapsed_on,
    )


DOWN = PaymentIn("D1", SIGNED, 6180, None, "prima CP-000001")
INST1 = PaymentIn("I1", date(2024, 5, 31), 12555, None, "CP-000001")
INST2 = PaymentIn("I2", date(2024, 6, 28), 12633, None, "cuota 2 cp-000001")


def _stmt(
    pays: list[PaymentIn],
    as_of: date,
    agreement: AgreementIn | None = None,
    decls: list[DeclarationIn] | None = None,
) -> Statement:
    return compute_statement(
        employer_number="X",
        declarations=decls or [DECL],
        payments=pays,
        as_of=as_of,
        policy=P,
        agreements=[agreement or _agreement()],
    )


def test_fulfilled_agreement_leaves_zero_and_no_credit_made_of_interest() -> None:
    """All three payments made: 2024-01 frozen at 30/04 (surcharge 9.00) is paid 300.00 + 9.00 by the
    principal; the interest 4.68 is the agreement's own line, paid. Outstanding 0.00, credit 0.00."""
    s = _stmt([DOWN, INST1, INST2], date(2024, 7, 31))
    line = s.line("2024-01")
    assert (line.contribution_paid_cents, line.surcharge_cents, line.surcharge_paid_cents) == (
        30000,
        900,
        900,
    )
    assert line.outstanding_cents == 0 and line.frozen_on == date(2024, 4, 30)
    [ag] = s.agreements
    assert (ag.interest_cents, ag.interest_paid_cents, ag.interest_outstanding_cents) == (468, 468, 0)
    assert s.totals.outstanding_cents == 0 and s.credit_cents == 0
    assert s.to_json_dict()["agreements"] == [
        {"number": "CP-000001", "interest": "4.68", "interest_paid": "4.68", "interest_outstanding": "0.00"}
    ]


def test_while_it_runs_the_statement_says_what_the_agreement_says() -> None:
    """As of 15/06/2024 (down payment and installment 1 paid): principal paid 61.80 + 122.44 =
    184.24, unpaid 309.00 − 184.24 = 124.76; interest due 3.11 (installment 2 not due yet), paid.
    2024-01: contribution paid 184.24 (contribution first), outstanding 115.76 + surcharge 9.00 =
    124.76 = the agreement's balance. As of 05/07/2024, installment 2 unpaid: its interest 1.57 is
    due and unpaid: outstanding 124.76 + 1.57 = 126.33."""
    s = _stmt([DOWN, INST1], date(2024, 6, 15))
    assert s.line("2024-01").outstanding_cents == 12476
    [ag] = s.agreements
    assert ag.balance_cents == 12476 and ag.interest_cents == 311 and ag.interest_outstanding_cents == 0
    assert s.totals.outstanding_cents == 12476
    later = _stmt([DOWN, INST1], date(2024, 7, 5))
    assert later.agreements[0].interest_outstanding_cents == 157
    assert (
        later.totals.outstanding_cents == 12633 and later.totals.agreement_interest_outstanding_cents == 157
    )


def test_surcharge_stops_at_the_draft_date() -> None:
    """Frozen at the draft (30/04/2024), the surcharge stays 9.00 even if the down payment arrives a
    week later; a statement of 2024-12-31 still says 9.00 (not 11 months × 1 %)."""
    assert _stmt([DOWN], date(2024, 12, 31)).line("2024-01").surcharge_cents == 900


def test_a_draft_without_down_payment_counts_for_nothing() -> None:
    """Not signed: 2024-01 is computed as if there were no agreement. As of 31/07/2024: 6 months
    late (14/06 < 31/07 ≤ 14/08) → 300.00 + 18.00 = 318.00."""
    s = _stmt([], date(2024, 7, 31), _agreement(signed_on=None))
    assert s.agreements == [] and s.totals.outstanding_cents == 31800


def test_lapsed_agreement_is_computed_as_if_there_had_been_none() -> None:
    """Lapsed on 06/07/2024 (installment 2 unpaid 5 days). As of 30/09/2024 every payment is ordinary:
    D1 61.80 on 02/05 (3 months late: 14/04 < 02/05 ≤ 14/05) and I1 125.55 on 31/05 (4 months:
    14/05 < 31/05 ≤ 14/06) pay contribution; 112.65 unpaid at 30/09 is 8 months late (14/09 <
    30/09 ≤ 14/10). Surcharge = (61.80 × 3 + 125.55 × 4 + 112.65 × 8) × 1 % = 15.888 → 15.89.
    Outstanding 112.65 + 15.89 = 128.54; no agreement line, no interest."""
    s = _stmt([DOWN, INST1], date(2024, 9, 30), _agreement(lapsed_on=date(2024, 7, 6)))
    line = s.line("2024-01")
    assert line.frozen_on is None and s.agreements == []
    assert (line.contribution_outstanding_cents, line.surcharge_cents) == (11265, 1589)
    assert s.totals.outstanding_cents == 12854


def test_ordinary_payment_leaves_the_covered_periods_and_its_credit_pays_the_next_installment() -> None:
    """A payment of 130.00 on 20/05/2024 with no reference and no period, after the draft: the covered
    2024-01 is not its to pay and nothing else is owed, so it is credit. The installment payment I1
    on 31/05 pays installment 1 itself. On 30/06 installment 2 (126.33) falls due and the credit
    pays it: 130.00 − 126.33 = 3.67 of credit left; outstanding 0.00 as of 31/07/2024."""
    extra = PaymentIn("X", date(2024, 5, 20), 13000)
    s = _stmt([DOWN, extra, INST1], date(2024, 7, 31))
    assert s.totals.outstanding_cents == 0 and s.credit_cents == 367
    assert s.agreements[0].interest_paid_cents == 468
    as_of_june = _stmt([DOWN, extra, INST1], date(2024, 6, 29))
    assert as_of_june.credit_cents == 13000


def test_payment_dated_on_the_draft_day_is_inside_the_debt_not_the_agreement() -> None:
    """A payment of 100.00 on 30/04/2024 (the draft's date) referencing the agreement is an ordinary
    payment already counted in the debt: it cannot also pay the agreement (not counted twice)."""
    same_day = PaymentIn("S", date(2024, 4, 30), 10000, None, "CP-000001")
    s = _stmt([same_day, DOWN], date(2024, 5, 15))
    assert [a.component for a in s.allocations if a.payment_id == "S"] == ["contribution"]
    assert s.agreements[0].items[0].principal_paid_cents == 6180


# ---------------------------------------------------------------------- property: both tell one story
@st.composite
def agreement_histories(draw: st.DrawFn) -> tuple[list[DeclarationIn], list[PaymentIn], AgreementIn, date]:
    n = draw(st.integers(1, 6))
    decls = [
        DeclarationIn(
            f"2023-{m:02d}",
            draw(st.integers(1000, 50000)),
            draw(st.sampled_from([None, date(2023, m + 1, 1), date(2023, m + 1, 28)])),
            draw(st.sampled_from(["employer", "de_oficio"])),
        )
        for m in range(1, n + 1)
    ]
    early = [
        PaymentIn(
            f"E{i}",
            date(2023, 2, 1) + (date(2023, 11, 1) - date(2023, 2, 1)) * draw(st.integers(0, 100)) // 100,
            draw(st.integers(100, 20000)),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    drafted = date(2024, 1, 15)
    stmt = compute_statement(employer_number="X", declarations=decls, payments=early, as_of=drafted, policy=P)
    covered = [ln for ln in stmt.periods if ln.overdue]
    if not covered:
        covered = []
    debt = sum(ln.outstanding_cents for ln in covered)
    n_inst = draw(st.integers(1, 6))
    down = -(-debt // 5)  # 20 % rounded up
    agreement = None
    if covered and debt - down >= n_inst and n_inst <= 6 and down < debt:
        sim = build_schedule(
            debt_cents=debt, down_payment_cents=down, installments=n_inst, start=date(2024, 2, 15), policy=P
        )
        agreement = AgreementIn(
            number="CP-000009",
            drafted_on=drafted,
            signed_on=date(2024, 1, 20),
            periods=tuple(ln.period for ln in covered),
            down_payment_cents=down,
            installments=tuple(
                InstallmentIn(line.number, line.due_date, line.principal_cents, line.interest_cents)
                for line in sim.schedule
            ),
        )
    later = [PaymentIn("D", date(2024, 1, 20), max(down, 1), None, "CP-000009")]
    for i in range(draw(st.integers(0, 8))):
        day = date(2024, 1, 21) + (date(2024, 9, 1) - date(2024, 1, 21)) * draw(st.integers(0, 100)) // 100
        ref = draw(st.sampled_from(["CP-000009", "", "otro"]))
        period = draw(st.sampled_from([None, *(d.period for d in decls)]))
        later.append(PaymentIn(f"L{i}", day, draw(st.integers(100, 20000)), period, ref))
    as_of = draw(
        st.sampled_from([date(2024, 1, 20), date(2024, 3, 1), date(2024, 6, 30), date(2024, 12, 31)])
    )
    return decls, early + later, agreement, as_of  # type: ignore[return-value]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(agreement_histories())
def test_statement_and_agreement_agree_to_the_cent(
    case: tuple[list[DeclarationIn], list[PaymentIn], AgreementIn | None, date],
) -> None:
    """At every date: covered periods' outstanding = the agreement's principal still unpaid; the
    statement's outstanding = that balance + interest due unpaid + everything not covered; and no
    cent of a payment is created or lost."""
    decls, pays, agreement, as_of = case
    if agreement is None:
        return
    s = compute_statement(
        employer_number="X", declarations=decls, payments=pays, as_of=as_of, policy=P, agreements=[agreement]
    )
    [ag] = s.agreements
    covered = sum(ln.outstanding_cents for ln in s.periods if ln.period in agreement.periods)
    assert covered == ag.principal_cents - ag.principal_paid_cents
    others = sum(ln.outstanding_cents for ln in s.periods if ln.period not in agreement.periods)
    assert s.totals.outstanding_cents == ag.balance_cents + others
    real = [a for a in s.allocations if not a.from_credit]
    assert sum(a.cents for a in real) == sum(p.amount_cents for p in pays if p.paid_on <= as_of)
    used = sum(a.cents for a in s.allocations if a.from_credit)
    left = sum(a.cents for a in real if a.component == "credit")
    assert s.credit_cents == left - used >= 0
    if (
        as_of >= add_months(agreement.installments[-1].due_date, 0)
        and ag.principal_paid_cents == ag.principal_cents
    ):
        assert covered == 0


def test_restructured_agreement_hands_its_periods_to_the_new_one() -> None:
    """CP-000001 (above), down payment and installment 1 paid, restructured on 15/06/2024 (ended):
    its installment 2 (due 30/06) is dropped; the new CP-000002, drafted that day over 2024-01, takes
    the principal still unpaid, 309.00 − 61.80 − 122.44 = 124.76 (the surcharge stays frozen at the
    first draft, 9.00). Down payment 24.96 (20 % rounded up) on 20/06, two installments of principal
    49.90 with interest 1.26 and 0.63. As of 25/06/2024: the covered period owes 124.76 − 24.96 =
    99.80 = the new agreement's principal unpaid; CP-000001's line keeps its interest 3.11, paid."""
    old = AgreementIn(
        number="CP-000001",
        drafted_on=date(2024, 4, 30),
        signed_on=SIGNED,
        periods=("2024-01",),
        down_payment_cents=6180,
        installments=_agreement().installments,
        ended_on=date(2024, 6, 15),
    )
    new = AgreementIn(
        number="CP-000002",
        drafted_on=date(2024, 6, 15),
        signed_on=date(2024, 6, 20),
        periods=("2024-01",),
        down_payment_cents=2496,
        installments=(
            InstallmentIn(1, date(2024, 7, 15), 4990, 126),
            InstallmentIn(2, date(2024, 8, 15), 4990, 63),
        ),
    )
    down = PaymentIn("D2", date(2024, 6, 20), 2496, None, "CP-000002")
    s = compute_statement(
        employer_number="X",
        declarations=[DECL],
        payments=[DOWN, INST1, down],
        as_of=date(2024, 6, 25),
        policy=P,
        agreements=[old, new],
    )
    line = s.line("2024-01")
    assert (
        line.agreement == "CP-000002" and line.frozen_on == date(2024, 4, 30) and line.surcharge_cents == 900
    )
    assert line.outstanding_cents == 9980
    first, second = s.agreements
    assert (first.interest_cents, first.interest_paid_cents, len(first.items)) == (311, 311, 2)
    assert second.principal_cents - second.principal_paid_cents == 9980
    assert s.totals.outstanding_cents == 9980 and s.credit_cents == 0
