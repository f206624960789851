"""Property tests of the schedules agreements store: whatever the debt, down payment and term the
policy allows, the installments add up to the financed amount plus the interest, each one is
interest + principal, and the balance ends at exactly zero."""

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cobranza.engine.agreements import (
    AgreementOptionError,
    allowed_terms,
    band_max_installments,
    build_schedule,
    min_down_payment,
    options_for,
)
from cobranza.engine.policy import default_policy

POLICY = default_policy()


@st.composite
def options(draw):
    debt = draw(st.integers(min_value=100, max_value=50_000_000))
    minimum = min_down_payment(debt, POLICY)
    down = draw(st.integers(min_value=minimum, max_value=max(minimum, debt - 1)))
    n = draw(st.integers(min_value=1, max_value=band_max_installments(debt, POLICY)))
    start = draw(st.dates(min_value=date(2016, 1, 1), max_value=date(2035, 12, 31)))
    return debt, down, n, start


@settings(max_examples=400, deadline=None)
@given(options())
def test_installments_sum_to_financed_plus_interest_and_balance_ends_at_zero(option):
    debt, down, n, start = option
    try:
        sim = build_schedule(
            debt_cents=debt, down_payment_cents=down, installments=n, start=start, policy=POLICY
        )
    except AgreementOptionError:
        assume(False)
    lines = sim.schedule
    assert len(lines) == n
    assert sim.financed_cents == debt - down
    assert sum(ln.installment_cents for ln in lines) == sim.financed_cents + sim.total_interest_cents
    assert sum(ln.principal_cents for ln in lines) == sim.financed_cents
    assert sum(ln.interest_cents for ln in lines) == sim.total_interest_cents
    assert lines[-1].balance_cents == 0
    assert all(ln.installment_cents == ln.interest_cents + ln.principal_cents for ln in lines)
    assert all(ln.balance_cents >= 0 and ln.principal_cents >= 0 for ln in lines)
    assert sim.total_cents == down + sum(ln.installment_cents for ln in lines)
    # balances fall by each principal
    balance = sim.financed_cents
    for ln in lines:
        balance -= ln.principal_cents
        assert ln.balance_cents == balance
    # all but the last installment are the level installment, unless the balance ran out early
    # (tiny financed amounts: see test_services.test_draft_refuses_a_zero_installment)
    assert all(ln.installment_cents == sim.installment_cents or ln.balance_cents == 0 for ln in lines[:-1])
    # due dates are monthly from the start
    assert lines[0].due_date == start
    assert all(a.due_date < b.due_date for a, b in zip(lines, lines[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=20_000_000),
    st.dates(min_value=date(2016, 1, 1), max_value=date(2030, 1, 1)),
)
def test_options_offer_pay_in_full_and_every_allowed_term(debt, start):
    opts = options_for(debt, POLICY, start)
    assert opts[0].pay_in_full and opts[0].total_cents == debt
    terms = [o.installments for o in opts[1:]]
    assert set(terms) <= set(allowed_terms(debt, POLICY))
    for o in opts[1:]:
        assert o.down_payment_cents == min_down_payment(debt, POLICY)
        assert o.total_cents >= debt
