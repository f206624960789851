"""Properties of the statement engine on random histories and policy timelines (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cobranza.engine.statement import DeclarationIn, PaymentIn, Statement, compute_statement
from cobranza.engine.timeline import PolicyTimeline
from tests.engine.engine_helpers import as_of_dates, histories, timelines

COMPONENTS = ("contribution", "surcharge", "fine", "interest")
SETTINGS = settings(max_examples=120, deadline=None)
History = tuple[list[DeclarationIn], list[PaymentIn]]


def _stmt(decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, tl: PolicyTimeline) -> Statement:
    return compute_statement(employer_number="E", declarations=decls, payments=pays, as_of=as_of, policy=tl)


@SETTINGS
@given(history=histories(), as_of=as_of_dates(), tl=timelines())
def test_no_cent_is_created_or_lost(history: History, as_of: date, tl: PolicyTimeline) -> None:
    """Every cent of every real payment goes to a component or is left over as credit; the credit
    carried forward pays only out of what was left over, and what it did not use is the credit."""
    decls, pays = history
    s = _stmt(decls, pays, as_of, tl)
    real = [a for a in s.allocations if not a.from_credit]
    from_credit = [a for a in s.allocations if a.from_credit]
    received = sum(p.amount_cents for p in pays if p.paid_on <= as_of)
    left_over = sum(a.cents for a in real if a.component == "credit")
    applied = sum(a.cents for a in from_credit)
    assert sum(a.cents for a in real) == received
    for p in pays:
        if p.paid_on <= as_of:
            assert sum(a.cents for a in real if a.payment_id == p.payment_id) == p.amount_cents
    assert all(a.component != "credit" and a.period is not None for a in from_credit)
    assert applied <= left_over
    assert s.credit_cents == left_over - applied
    for ln in s.periods:
        for comp in COMPONENTS:
            total = getattr(ln, f"{comp}_cents")
            paid = getattr(ln, f"{comp}_paid_cents")
            out = getattr(ln, f"{comp}_outstanding_cents")
            assert 0 <= paid <= total and out == total - paid
            assert paid == sum(
                a.cents for a in s.allocations if a.period == ln.period and a.component == comp
            )
        assert ln.outstanding_cents == sum(getattr(ln, f"{c}_outstanding_cents") for c in COMPONENTS)
        assert (ln.status == "paid") == (ln.outstanding_cents == 0)
        assert 0 <= ln.worker_share_outstanding_cents <= ln.worker_share_cents <= ln.contribution_cents
    assert s.totals.outstanding_cents == sum(ln.outstanding_cents for ln in s.periods)
    assert s.totals.overdue_cents + s.totals.current_cents == s.totals.outstanding_cents
    for comp in COMPONENTS:
        assert getattr(s.totals, f"{comp}_outstanding_cents") == sum(
            getattr(ln, f"{comp}_outstanding_cents") for ln in s.periods
        )


@SETTINGS
@given(
    history=histories(with_corrections=False),
    as_of=as_of_dates(),
    step=st.integers(1, 800),
    tl=timelines(),
)
def test_surcharge_never_decreases_while_contribution_unpaid(
    history: History, as_of: date, step: int, tl: PolicyTimeline
) -> None:
    """(Without corrections: a correction filed in between may lower the contribution itself.)"""
    decls, pays = history
    earlier = _stmt(decls, pays, as_of, tl)
    later = _stmt(decls, pays, as_of + timedelta(days=step), tl)
    before = {ln.period: ln for ln in earlier.periods}
    for ln in later.periods:
        if ln.period in before and ln.contribution_outstanding_cents > 0:
            assert ln.surcharge_cents >= before[ln.period].surcharge_cents
            assert ln.months_late >= before[ln.period].months_late


@SETTINGS
@given(history=histories(), as_of=as_of_dates(), seed=st.integers(0, 10**6), tl=timelines())
def test_statement_independent_of_input_order(
    history: History, as_of: date, seed: int, tl: PolicyTimeline
) -> None:
    decls, pays = history
    rng = random.Random(seed)
    d2, p2 = decls[:], pays[:]
    rng.shuffle(d2)
    rng.shuffle(p2)
    a = _stmt(decls, pays, as_of, tl)
    b = _stmt(d2, p2, as_of, tl)
    assert a.to_json_dict() == b.to_json_dict()
    assert a.allocations == b.allocations
    assert a.explanations() == b.explanations()
