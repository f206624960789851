"""Properties of the statement engine on random histories (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cobranza.engine.policy import Policy
from cobranza.engine.statement import DeclarationIn, PaymentIn, Statement, compute_statement
from tests.engine.engine_helpers import as_of_dates, histories, policies

COMPONENTS = ("contribution", "surcharge", "fine", "interest")
SETTINGS = settings(max_examples=150, deadline=None)


def _stmt(decls: list[DeclarationIn], pays: list[PaymentIn], as_of: date, policy: Policy) -> Statement:
    return compute_statement(
        employer_number="E", declarations=decls, payments=pays, as_of=as_of, policy=policy
    )


@SETTINGS
@given(history=histories(), as_of=as_of_dates(), policy=policies())
def test_no_cent_is_created_or_lost(
    history: tuple[list[DeclarationIn], list[PaymentIn]], as_of: date, policy: Policy
) -> None:
    decls, pays = history
    s = _stmt(decls, pays, as_of, policy)
    received = sum(p.amount_cents for p in pays if p.paid_on <= as_of)
    allocated = sum(a.cents for a in s.allocations if a.component != "credit")
    assert allocated + s.credit_cents == received
    assert sum(a.cents for a in s.allocations) == received
    for p in pays:
        if p.paid_on <= as_of:
            assert sum(a.cents for a in s.allocations if a.payment_id == p.payment_id) == p.amount_cents
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
    assert s.totals.outstanding_cents == sum(ln.outstanding_cents for ln in s.periods)
    for comp in COMPONENTS:
        assert getattr(s.totals, f"{comp}_outstanding_cents") == sum(
            getattr(ln, f"{comp}_outstanding_cents") for ln in s.periods
        )


@SETTINGS
@given(
    history=histories(),
    as_of=as_of_dates(),
    step=st.integers(1, 800),
    policy=policies(),
)
def test_surcharge_never_decreases_while_contribution_unpaid(
    history: tuple[list[DeclarationIn], list[PaymentIn]], as_of: date, step: int, policy: Policy
) -> None:
    decls, pays = history
    earlier = _stmt(decls, pays, as_of, policy)
    later = _stmt(decls, pays, as_of + timedelta(days=step), policy)
    before = {ln.period: ln for ln in earlier.periods}
    for ln in later.periods:
        if ln.period in before and ln.contribution_outstanding_cents > 0:
            assert ln.surcharge_cents >= before[ln.period].surcharge_cents
            assert ln.months_late >= before[ln.period].months_late


@SETTINGS
@given(history=histories(), as_of=as_of_dates(), seed=st.integers(0, 10**6), policy=policies())
def test_statement_independent_of_input_order(
    history: tuple[list[DeclarationIn], list[PaymentIn]], as_of: date, seed: int, policy: Policy
) -> None:
    decls, pays = history
    rng = random.Random(seed)
    d2, p2 = decls[:], pays[:]
    rng.shuffle(d2)
    rng.shuffle(p2)
    a = _stmt(decls, pays, as_of, policy)
    b = _stmt(d2, p2, as_of, policy)
    assert a.to_json_dict() == b.to_json_dict()
    assert a.allocations == b.allocations
    assert a.explanations() == b.explanations()
