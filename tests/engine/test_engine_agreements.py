from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cobranza.engine.agreements import (
    AgreementOptionError,
    allowed_terms,
    apply_installment_payments,
    band_max_installments,
    build_schedule,
    days_overdue,
    down_payment_rule_text,
    installment_status,
    is_lapsed,
    lapse_date,
    min_down_payment,
    monthly_rate,
    options_for,
    overdue_installments,
    validate_option,
)
from cobranza.engine.calendar import add_months
from cobranza.engine.policy import Policy, PolicyError, default_policy

P = default_policy()
START = date(2024, 7, 30)


def test_bands() -> None:
    assert band_max_installments(100000, P) == 6  # ≤ $1,000
    assert band_max_installments(100001, P) == 12
    assert band_max_installments(1000000, P) == 12
    assert band_max_installments(5000000, P) == 24
    assert band_max_installments(5000001, P) == 48
    assert monthly_rate(12, P) == Decimal("0.0126")
    assert monthly_rate(13, P) == Decimal("0.0153")
    assert monthly_rate(24, P) == Decimal("0.0153")
    assert monthly_rate(25, P) == Decimal("0.0182")
    assert allowed_terms(8999, P) == [3, 6]
    assert allowed_terms(143490, P) == [3, 6, 9, 12]
    assert allowed_terms(10**9, P) == [3, 6, 9, 12, 18, 24, 36, 48]


def test_min_down_payment_rounds_up_to_the_cent() -> None:
    # SPEC §4: the minimum is rounded UP — anything less would be under 20 % of the debt.
    assert min_down_payment(46146, P) == 9230  # 20 % of 461.46 = 92.292 -> 92.30, not 92.29
    assert min_down_payment(8999, P) == 1800  # 17.998 -> 18.00
    assert min_down_payment(143490, P) == 28698  # exactly 286.98
    assert min_down_payment(12, P) == 3  # 2.4 -> 3 (half-up would give 2, i.e. 16.7 %)
    assert min_down_payment(13, P) == 3  # 2.6 -> 3
    assert min_down_payment(5, P) == 1  # exactly 1
    assert min_down_payment(10001, P) == 2001  # 2000.2 -> 2001


def test_down_payment_of_92_29_refused_for_461_46_and_92_30_accepted() -> None:
    with pytest.raises(AgreementOptionError) as info:
        validate_option(46146, 9229, 3, P)
    assert str(info.value) == (
        "La prima mínima es $92.30 (20 % de $461.46, redondeado al centavo superior); "
        "la prima propuesta de $92.29 no la alcanza (prima entre $92.30 y $461.45)."
    )
    validate_option(46146, 9230, 3, P)
    sim = build_schedule(debt_cents=46146, down_payment_cents=9230, installments=3, start=START, policy=P)
    assert (sim.down_payment_cents, sim.financed_cents) == (9230, 36916)
    # the options table offers exactly the rounded-up minimum
    assert {o.down_payment_cents for o in options_for(46146, P, START)[1:]} == {9230}


WORKER_SHARE = dataclasses.replace(P, agreement_down_payment_worker_share=True)


def test_worker_share_rule_is_off_by_default() -> None:
    assert P.agreement_down_payment_worker_share is False
    # the worker share given or not, the minimum stays 20 % of the whole debt
    assert min_down_payment(46146, P, worker_share_cents=5000) == 9230
    assert down_payment_rule_text(46146, P) == "20 % de $461.46, redondeado al centavo superior"


def test_worker_share_rule_takes_the_worker_share_whole_and_20_percent_of_the_rest() -> None:
    # debt 461.46 of which 50.00 is withheld worker share not remitted:
    # 50.00 + ceil(20 % of 411.46 = 82.292) = 50.00 + 82.30 = 132.30
    assert min_down_payment(46146, WORKER_SHARE, worker_share_cents=5000) == 13230
    # no worker share outstanding: the plain 20 % rounded up
    assert min_down_payment(46146, WORKER_SHARE, worker_share_cents=0) == 9230
    # 89.99 with 24.00 of worker share: 24.00 + ceil(20 % of 65.99 = 13.198) = 24.00 + 13.20 = 37.20
    assert min_down_payment(8999, WORKER_SHARE, worker_share_cents=2400) == 3720
    assert down_payment_rule_text(46146, WORKER_SHARE, worker_share_cents=5000) == (
        "100 % de la cuota laboral pendiente ($50.00) más 20 % del resto ($411.46), "
        "redondeado al centavo superior"
    )
    with pytest.raises(AgreementOptionError) as info:
        validate_option(46146, 13229, 3, WORKER_SHARE, worker_share_cents=5000)
    assert str(info.value) == (
        "La prima mínima es $132.30 (100 % de la cuota laboral pendiente ($50.00) más 20 % del resto "
        "($411.46), redondeado al centavo superior); la prima propuesta de $132.29 no la alcanza "
        "(prima entre $132.30 y $461.45)."
    )
    validate_option(46146, 13230, 3, WORKER_SHARE, worker_share_cents=5000)
    # 92.30 is enough without the rule, not with it
    validate_option(46146, 9230, 3, P, worker_share_cents=5000)
    with pytest.raises(AgreementOptionError, match=r"\$132\.30"):
        build_schedule(
            debt_cents=46146,
            down_payment_cents=9230,
            installments=3,
            start=START,
            policy=WORKER_SHARE,
            worker_share_cents=5000,
        )
    opts = options_for(46146, WORKER_SHARE, START, worker_share_cents=5000)
    assert [o.installments for o in opts] == [0, 3, 6]
    assert {o.down_payment_cents for o in opts[1:]} == {13230}
    assert all(o.total_cents - o.total_interest_cents == 46146 for o in opts)


def test_worker_share_rule_edges() -> None:
    # the switch on, the caller must say how much worker share the debt holds
    with pytest.raises(ValueError, match="cuota laboral"):
        min_down_payment(46146, WORKER_SHARE)
    # a debt made only of worker share: the minimum is the whole debt, so only paying in full
    assert min_down_payment(10000, WORKER_SHARE, worker_share_cents=10000) == 10000
    assert min_down_payment(10000, WORKER_SHARE, worker_share_cents=15000) == 10000  # clamped
    with pytest.raises(AgreementOptionError) as info:
        validate_option(10000, 9999, 3, WORKER_SHARE, worker_share_cents=10000)
    assert "con esta deuda corresponde el pago de contado" in str(info.value)
    assert [o.installments for o in options_for(10000, WORKER_SHARE, START, worker_share_cents=10000)] == [0]


def test_worker_share_switch_is_a_policy_parameter() -> None:
    stored = WORKER_SHARE.to_dict()
    assert stored["agreement_down_payment_worker_share"] is True
    assert Policy.from_dict(stored).agreement_down_payment_worker_share is True
    assert (
        Policy.from_dict({"version": "x", "effective_from": "2024-01-01"}).agreement_down_payment_worker_share
        is False
    )
    with pytest.raises(PolicyError, match="cuota laboral pendiente"):
        Policy.from_dict(
            {"version": "x", "effective_from": "2024-01-01", "agreement_down_payment_worker_share": "sí"}
        )
    with pytest.raises(PolicyError):
        dataclasses.replace(P, agreement_down_payment_worker_share=1)


def test_refusals_state_reason_and_limits() -> None:
    with pytest.raises(AgreementOptionError) as info:
        validate_option(8999, 1000, 3, P)
    assert "La prima mínima es $18.00 (20 % de $89.99, redondeado al centavo superior)" in str(info.value)
    assert "prima entre $18.00 y $89.98" in str(info.value)
    with pytest.raises(AgreementOptionError) as info:
        validate_option(8999, 1800, 12, P)
    assert "El plazo máximo para una deuda de $89.99" in str(info.value)
    assert "6 cuotas" in str(info.value) and "12" in str(info.value)
    with pytest.raises(AgreementOptionError, match="pago de contado"):
        validate_option(8999, 8999, 3, P)
    with pytest.raises(AgreementOptionError, match="No hay deuda"):
        validate_option(0, 0, 3, P)
    with pytest.raises(AgreementOptionError, match="entre 1 y 6"):
        validate_option(8999, 1800, 0, P)
    with pytest.raises(AgreementOptionError):
        build_schedule(debt_cents=8999, down_payment_cents=1799, installments=3, start=START, policy=P)
    # any typed term up to the maximum is allowed, not only the offered ones
    validate_option(8999, 1800, 5, P)
    assert issubclass(AgreementOptionError, ValueError)


def test_zero_rate_schedule_is_f_over_n() -> None:
    policy = dataclasses.replace(P, agreement_rate_bands=((None, Decimal("0")),))
    sim = build_schedule(
        debt_cents=10000, down_payment_cents=2000, installments=3, start=START, policy=policy
    )
    assert sim.installment_cents == 2667
    assert [ln.installment_cents for ln in sim.schedule] == [2667, 2667, 2666]
    assert sim.total_interest_cents == 0
    assert sim.to_json_dict("1", START)["monthly_rate"] == "0"


def test_schedule_due_dates_clamp_to_month_end() -> None:
    sim = build_schedule(
        debt_cents=500000, down_payment_cents=100000, installments=4, start=date(2024, 1, 31), policy=P
    )
    assert [ln.due_date for ln in sim.schedule] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_options_for() -> None:
    opts = options_for(143490, P, START)
    assert opts[0].pay_in_full and opts[0].total_cents == 143490
    assert [o.installments for o in opts] == [0, 3, 6, 9, 12]
    six = opts[2]
    assert (six.down_payment_cents, six.installment_cents, six.total_interest_cents, six.total_cents) == (
        28698,
        19985,
        5115,
        148605,
    )
    assert options_for(0, P, START) == []


@settings(max_examples=150, deadline=None)
@given(
    debt=st.integers(100, 10**8),
    extra=st.integers(0, 10**6),
    n=st.integers(1, 48),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_schedule_properties(debt: int, extra: int, n: int, start: date) -> None:
    down = min(min_down_payment(debt, P) + extra, debt - 1)
    n = min(n, band_max_installments(debt, P), debt - down)
    sim = build_schedule(debt_cents=debt, down_payment_cents=down, installments=n, start=start, policy=P)
    sched = sim.schedule
    assert len(sched) == n
    assert sched[-1].balance_cents == 0
    assert sum(ln.installment_cents for ln in sched) == sim.financed_cents + sim.total_interest_cents
    assert sum(ln.principal_cents for ln in sched) == sim.financed_cents
    assert (
        sim.total_cents == down + sum(ln.installment_cents for ln in sched) == debt + sim.total_interest_cents
    )
    balance = sim.financed_cents
    for ln in sched:
        assert ln.interest_cents >= 0 and ln.principal_cents >= 0
        assert ln.installment_cents == ln.interest_cents + ln.principal_cents
        balance -= ln.principal_cents
        assert ln.balance_cents == balance >= 0
        assert ln.due_date == add_months(start, ln.number - 1)
    for ln in sched[:-1]:
        assert ln.installment_cents == sim.installment_cents or ln.balance_cents == 0


@settings(max_examples=150, deadline=None)
@given(debt=st.integers(1, 10**9), down=st.integers(0, 10**9), n=st.integers(-2, 60))
def test_validate_option_refuses_exactly_what_the_policy_forbids(debt: int, down: int, n: int) -> None:
    allowed = min_down_payment(debt, P) <= down < debt and 1 <= n <= band_max_installments(debt, P)
    allowed = allowed and debt - down >= n
    if allowed:
        validate_option(debt, down, n, P)
    else:
        with pytest.raises(AgreementOptionError):
            validate_option(debt, down, n, P)


def test_follow_up_and_lapse() -> None:
    sim = build_schedule(debt_cents=143490, down_payment_cents=28698, installments=6, start=START, policy=P)
    # pays the first installment on time, the second partially, nothing else
    states, left = apply_installment_payments(
        sim.schedule, [(date(2024, 7, 29), 19985), (date(2024, 8, 31), 10000)], date(2024, 12, 31)
    )
    assert left == 0
    assert states[0].paid_off_on == date(2024, 7, 29)
    assert states[1].paid_cents == 10000 and states[1].paid_off_on is None
    # grace: due 2024-08-30 + 5 days -> overdue from 2024-09-05
    assert installment_status(states[1], date(2024, 9, 4), P) == "pending"
    assert installment_status(states[1], date(2024, 9, 5), P) == "overdue"
    assert installment_status(states[0], date(2024, 9, 5), P) == "paid"
    assert days_overdue(states[1], date(2024, 9, 5)) == 6
    assert len(overdue_installments(states, date(2024, 10, 5), P)) == 1  # Sep 30 + 5: still in grace
    assert len(overdue_installments(states, date(2024, 10, 6), P)) == 2
    assert not is_lapsed(states, date(2024, 10, 6), P)
    assert not is_lapsed(states, date(2024, 11, 4), P)  # Oct 30 + 5 = Nov 4: still in grace
    assert is_lapsed(states, date(2024, 11, 5), P)
    assert lapse_date(states, P) == date(2024, 11, 5)
    # a late payment that clears the arrears before the third overdue installment avoids the lapse
    states, _ = apply_installment_payments(
        sim.schedule,
        [(date(2024, 7, 29), 19985), (date(2024, 10, 20), 19985 * 3)],
        date(2024, 12, 31),
    )
    assert lapse_date(states, P) is None  # never three overdue at once
    assert not is_lapsed(states, date(2024, 11, 5), P)
    assert len(overdue_installments(states, date(2025, 1, 5), P)) == 2  # November and December


def test_left_over_and_future_payments() -> None:
    sim = build_schedule(debt_cents=8999, down_payment_cents=1800, installments=3, start=START, policy=P)
    total = sum(ln.installment_cents for ln in sim.schedule)
    states, left = apply_installment_payments(
        sim.schedule, [(date(2024, 7, 1), total + 50), (date(2025, 1, 1), 100)], date(2024, 12, 31)
    )
    assert left == 50
    assert all(s.outstanding_cents == 0 for s in states)
    assert not is_lapsed(states, date(2025, 6, 1), P)
    assert days_overdue(states[0], date(2025, 6, 1)) == 0
    assert states[-1].due_date + timedelta(days=1) > states[0].due_date
