"""One employer's statement (estado de cuenta) as of a date — SPEC §5 — under a policy timeline.

The rules, in the order the code applies them (``batch`` applies the very same ones to every
employer at once; property tests hold them equal):

1. **Periods**: the declarations of periods begun by ``as_of`` (first day ≤ ``as_of``), whatever
   their filing date. Each period takes, from the version in force on the first day of the month
   after it (:meth:`PolicyTimeline.for_period`), its due-date rule and its fine.
2. **Version of a declaration** (SPEC §3): the first filing, replaced by each correction filed on or
   before ``as_of`` (so a statement of an earlier date keeps the amounts of its date). The period
   keeps the **first** filing's date for the fine: when it was filed after the due date or de
   oficio, the fine is on the whole contribution; when it was filed on time, only on the increase
   over the last version filed by the due date (a complementary declaration); a downward
   correction is never fined.
3. **Payments** in order of ``paid_on`` then ``payment_id``: first to the referenced period (when it
   is declared in the statement, even one not yet begun: a payment in advance), then to the other
   periods begun by ``paid_on``, oldest first; inside a period in the allocation order of the
   version in force on the payment's date (default contribution — worker share first —, surcharge,
   fine, interest). A payment only pays surcharge, fine and interest already owed at its date.
4. **Credit carried forward**: what a payment leaves over is credit. On each period's due date and
   on the day after it (when its fine becomes payable), after that day's payments, the credit is
   applied as if it were a payment of that day (no referenced period), by the rule above.
5. **Surcharge** of a period at date ``t``: ``round((Σ pieces × C(months late at the piece's date)
   + unpaid × C(months late at t)) / unit_den)`` with ``C`` the cumulative month rates of
   :meth:`PolicyTimeline.surcharge_steps` (each month of delay at the rate in force when it
   begins, 0 past that version's cap). **Interest** likewise per day.
6. **Freeze** (payment agreement): months and days late are measured at ``min(date, freeze)``; no
   fine is owed with a freeze on or before the due date.
7. **Amnesties** (records of the timeline): a payment made inside the window of an amnesty whose
   scope is "paid in full" does not go to the components it waives; when it completes the
   period's contribution, those components are waived from then on (their figure stays what was
   paid before). ``waivers`` (agreements signed inside an amnesty with the agreements scope) waive
   components of a period from the start.
8. **Lines**: status ``paid`` (nothing outstanding), else ``not_due`` (due date on or after
   ``as_of``), else ``unpaid`` (nothing paid at all), else ``partial``; overdue (exigible) is the
   outstanding of unpaid and partial lines, current the rest. The worker share is paid first
   inside the contribution: ``worker share outstanding = worker share − min(contribution paid,
   worker share)``. ``months_late`` is that of the contribution still unpaid at ``as_of``, or of the
   last contribution payment when it is paid.

All arithmetic is on integers; each component is rounded half-up once, on the exact sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from cobranza.engine.calendar import due_date as _due_date
from cobranza.engine.calendar import months_late, period_start
from cobranza.engine.money import rate_fraction, round_half_up_ratio
from cobranza.engine.policy import Policy
from cobranza.engine.statement.model import (
    CREDIT_PAYMENT_ID,
    Allocation,
    Correction,
    DeclarationIn,
    PaymentIn,
    PeriodLine,
    Piece,
    Statement,
    StatementTotals,
    Status,
)
from cobranza.engine.timeline import COMPONENT_BIT, PolicyTimeline, as_timeline

__all__ = ["compute_statement", "fine_base", "fine_amount", "in_force"]

_CONTRIBUTION, _SURCHARGE, _FINE, _INTEREST = 0, 1, 2, 3
_BIT = {_SURCHARGE: 1, _FINE: 2, _INTEREST: 4}


def in_force(d: DeclarationIn, as_of: date) -> tuple[int, int, tuple[Correction, ...]]:
    """The declaration's (contribution, worker share, corrections in force) at ``as_of``."""
    contrib, worker = d.contribution_cents, d.worker_cents
    used: list[Correction] = []
    for c in d.corrections:
        if c.filed_on <= as_of:
            contrib, worker = c.contribution_cents, c.worker_cents
            used.append(c)
    return contrib, worker, tuple(used)


def fine_base(d: DeclarationIn, contrib: int, used: tuple[Correction, ...], due: date) -> int:
    """The part of the contribution the fine is on (rule 2)."""
    if d.origin == "de_oficio" or d.filed_on is None or d.filed_on > due:
        return contrib
    on_time = d.contribution_cents
    for c in used:
        if c.filed_on <= due:
            on_time = c.contribution_cents
    return max(0, contrib - on_time)


def fine_amount(base: int, policy: Policy) -> int:
    if not policy.fine_enabled or base <= 0:
        return 0
    num, den = rate_fraction(policy.fine_rate)
    return round_half_up_ratio(base * num, den)


class _Period:
    __slots__ = (
        "decl",
        "period",
        "start",
        "due",
        "freeze",
        "contrib",
        "worker",
        "used",
        "policy",
        "fine_base",
        "fine_amount",
        "steps",
        "ci_due",
        "paid_c",
        "ws",
        "wi",
        "s_paid",
        "f_paid",
        "i_paid",
        "last_c",
        "waived",
        "waived_by",
        "done",
        "pieces",
    )

    def __init__(self, d: DeclarationIn, tl: PolicyTimeline, as_of: date, freeze: date | None, waived: int):
        self.decl = d
        self.period = d.period
        self.start = period_start(d.period)
        self.policy = tl.for_period(d.period)
        self.due = _due_date(d.period, self.policy)
        self.freeze = freeze
        self.contrib, self.worker, self.used = in_force(d, as_of)
        self.fine_base = fine_base(d, self.contrib, self.used, self.due)
        self.fine_amount = fine_amount(self.fine_base, self.policy)
        eff = _effective(as_of, freeze)
        self.steps = tl.surcharge_steps(self.due, months_late(self.due, eff))
        self.ci_due = 0
        self.paid_c = 0
        self.ws = 0  # Σ paid pieces × C(months late): surcharge rate units × cents
        self.wi = 0  # Σ paid pieces × interest units of their days late
        self.s_paid = 0
        self.f_paid = 0
        self.i_paid = 0
        self.last_c: date | None = None
        self.waived = waived
        self.waived_by: list[str] = []
        self.done = self.contrib == 0 and self.fine_amount == 0
        self.pieces: list[Piece] = []


def _effective(t: date, freeze: date | None) -> date:
    return t if freeze is None or t <= freeze else freeze


def compute_statement(
    *,
    employer_number: str,
    declarations: Iterable[DeclarationIn],
    payments: Iterable[PaymentIn],
    as_of: date,
    policy: Policy | PolicyTimeline,
    freezes: Mapping[str, date] | None = None,
    waivers: Mapping[str, Iterable[str]] | None = None,
) -> Statement:
    """The statement of one employer as of ``as_of`` (SPEC §5; rules in this module's docstring).

    ``policy`` is the timeline of every version and amnesty (a single :class:`Policy` is a timeline
    of one version). ``freezes`` maps a period to the date its surcharge, fine and interest stop
    accruing (the date of the payment agreement that covers it); ``waivers`` maps a period to the
    components an amnesty waived through an agreement. Input order does not matter.
    """
    tl = as_timeline(policy)
    unit = tl.unit_den
    interest_den = unit * 365
    freezes = freezes or {}
    waiver_bits: dict[str, int] = {}
    for period, comps in (waivers or {}).items():
        waiver_bits[period] = sum(COMPONENT_BIT.get(c, 0) for c in comps)

    decls = sorted((d for d in declarations if period_start(d.period) <= as_of), key=lambda d: d.period)
    states: list[_Period] = []
    index: dict[str, int] = {}
    for d in decls:
        if d.period in index:
            raise ValueError(f"patrono {employer_number}: la planilla {d.period} está repetida")
        index[d.period] = len(states)
        states.append(_Period(d, tl, as_of, freezes.get(d.period), waiver_bits.get(d.period, 0)))

    interest_on = tl.interest_ever
    ci: list[int] = []
    day0 = as_of
    if interest_on and states:
        day0 = min(st.due for st in states)
        ci = tl.interest_cumulative(day0, max(as_of, day0))
        for st in states:
            st.ci_due = ci[(st.due - day0).days] if st.due <= as_of else 0

    def ci_at(t: date) -> int:
        return ci[(t - day0).days]

    amnesty_on = bool(tl.amnesties)
    allocations: list[Allocation] = []
    n = len(states)
    first_open = 0
    while first_open < n and states[first_open].done:
        first_open += 1

    def apply(st: _Period, pid: str, s: date, remaining: int, order: tuple[int, ...], mask: int) -> int:
        eff = _effective(s, st.freeze)
        due = st.due
        ml = -1  # months late at eff, computed on first need
        skip = mask | st.waived
        for comp in order:
            if remaining == 0:
                break
            if comp == _CONTRIBUTION:
                owed = st.contrib - st.paid_c
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                if ml < 0:
                    ml = months_late(due, eff)
                days = (eff - due).days if eff > due else 0
                st.ws += x * st.steps[ml]
                if interest_on and eff > due:
                    st.wi += x * (ci_at(eff) - st.ci_due)
                st.paid_c += x
                st.last_c = s
                st.pieces.append(Piece(pid, s, x, ml, days))
                remaining -= x
                allocations.append(Allocation(pid, s, st.period, "contribution", x))
                if mask and st.paid_c == st.contrib:
                    st.waived |= mask
                    st.waived_by.extend(a.name for a in tl.amnesties_on(s) if a.name not in st.waived_by)
                    skip = mask | st.waived
            elif skip & _BIT[comp]:
                continue
            elif comp == _SURCHARGE:
                if eff <= due:
                    continue
                if ml < 0:
                    ml = months_late(due, eff)
                unpaid = st.contrib - st.paid_c
                owed = round_half_up_ratio(st.ws + unpaid * st.steps[ml], unit) - st.s_paid
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.s_paid += x
                remaining -= x
                allocations.append(Allocation(pid, s, st.period, "surcharge", x))
            elif comp == _FINE:
                if st.fine_amount == 0 or eff <= due:
                    continue
                owed = st.fine_amount - st.f_paid
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.f_paid += x
                remaining -= x
                allocations.append(Allocation(pid, s, st.period, "fine", x))
            else:
                if not interest_on or eff <= due:
                    continue
                unpaid = st.contrib - st.paid_c
                owed = (
                    round_half_up_ratio(st.wi + unpaid * (ci_at(eff) - st.ci_due), interest_den) - st.i_paid
                )
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.i_paid += x
                remaining -= x
                allocations.append(Allocation(pid, s, st.period, "interest", x))
        if st.paid_c == st.contrib:
            w = st.waived
            st.done = bool(
                (w & 1 or st.s_paid == round_half_up_ratio(st.ws, unit))
                and (w & 2 or st.f_paid == st.fine_amount)
                and (not interest_on or w & 4 or st.i_paid == round_half_up_ratio(st.wi, interest_den))
            )
        return remaining

    def spread(pid: str, s: date, remaining: int, ref: int | None) -> int:
        nonlocal first_open
        order = tl.allocation_order(s)
        mask = tl.amnesty_mask(s) if amnesty_on else 0
        if ref is not None:
            remaining = apply(states[ref], pid, s, remaining, order, mask)
        j = first_open
        while remaining > 0 and j < n:
            st = states[j]
            if st.start > s:
                break
            if j != ref and not st.done:
                remaining = apply(st, pid, s, remaining, order, mask)
            j += 1
        while first_open < n and states[first_open].done:
            first_open += 1
        return remaining

    # the days something falls due: each period's due date and the day after (its fine)
    events = sorted({d for st in states for d in (st.due, st.due + timedelta(days=1)) if d <= as_of})
    ei = 0
    credit = 0

    def carry_forward(t: date) -> None:
        nonlocal credit
        if credit > 0:
            credit = spread(CREDIT_PAYMENT_ID, t, credit, None)

    pays = sorted((p for p in payments if p.paid_on <= as_of), key=lambda p: (p.paid_on, p.payment_id))
    seen_ids: set[str] = set()
    last_payment: date | None = None
    for p in pays:
        if p.payment_id in seen_ids:
            raise ValueError(f"patrono {employer_number}: el pago {p.payment_id} está repetido")
        if p.payment_id == CREDIT_PAYMENT_ID:
            raise ValueError(
                f"patrono {employer_number}: «{CREDIT_PAYMENT_ID}» no es un identificador de pago"
            )
        seen_ids.add(p.payment_id)
        while ei < len(events) and events[ei] < p.paid_on:
            carry_forward(events[ei])
            ei += 1
        last_payment = p.paid_on
        ref = index.get(p.period) if p.period is not None else None
        remaining = spread(p.payment_id, p.paid_on, p.amount_cents, ref)
        if remaining > 0:
            credit += remaining
            allocations.append(Allocation(p.payment_id, p.paid_on, None, "credit", remaining))
    while ei < len(events):
        carry_forward(events[ei])
        ei += 1

    lines: list[PeriodLine] = []
    tot_c = tot_s = tot_f = tot_i = tot_w = tot_overdue = 0
    for st in states:
        lines.append(_line(st, as_of, unit, interest_den, ci_at if interest_on else None))
    for ln in lines:
        tot_c += ln.contribution_outstanding_cents
        tot_s += ln.surcharge_outstanding_cents
        tot_f += ln.fine_outstanding_cents
        tot_i += ln.interest_outstanding_cents
        tot_w += ln.worker_share_outstanding_cents
        tot_overdue += ln.overdue_cents
    total = tot_c + tot_s + tot_f + tot_i
    totals = StatementTotals(
        contribution_outstanding_cents=tot_c,
        surcharge_outstanding_cents=tot_s,
        fine_outstanding_cents=tot_f,
        interest_outstanding_cents=tot_i,
        outstanding_cents=total,
        credit_cents=credit,
        worker_share_outstanding_cents=tot_w,
        overdue_cents=tot_overdue,
        current_cents=total - tot_overdue,
    )
    in_force_now = tl.at(as_of)
    return Statement(
        employer_number=employer_number,
        as_of=as_of,
        policy_version=in_force_now.version,
        periods=lines,
        totals=totals,
        credit_cents=credit,
        allocations=allocations,
        last_payment_date=last_payment,
        policy=in_force_now,
        timeline=tl,
    )


def _line(st: _Period, as_of: date, unit: int, interest_den: int, ci_at: object) -> PeriodLine:
    due = st.due
    eff = _effective(as_of, st.freeze)
    unpaid = st.contrib - st.paid_c
    ml_a = months_late(due, eff)
    days_a = (eff - due).days if eff > due else 0
    surcharge = round_half_up_ratio(st.ws + unpaid * st.steps[ml_a], unit)
    fine = st.fine_amount if eff > due else 0
    interest = 0
    if callable(ci_at):
        i_units = (ci_at(eff) - st.ci_due) if eff > due else 0
        interest = round_half_up_ratio(st.wi + unpaid * i_units, interest_den)
    w = st.waived
    if w & 1:
        surcharge = st.s_paid
    if w & 2:
        fine = st.f_paid
    if w & 4:
        interest = st.i_paid
    if unpaid > 0:
        ml_line, days_line = ml_a, days_a
    elif st.last_c is not None:
        last_eff = _effective(st.last_c, st.freeze)
        ml_line = months_late(due, last_eff)
        days_line = (last_eff - due).days if last_eff > due else 0
    else:
        ml_line, days_line = 0, 0
    s_out = surcharge - st.s_paid
    f_out = fine - st.f_paid
    i_out = interest - st.i_paid
    outstanding = unpaid + s_out + f_out + i_out
    status: Status
    if outstanding == 0:
        status = "paid"
    elif due >= as_of:
        status = "not_due"
    elif st.paid_c == 0 and st.s_paid == 0 and st.f_paid == 0 and st.i_paid == 0:
        status = "unpaid"
    else:
        status = "partial"
    worker_paid = min(st.paid_c, st.worker)
    return PeriodLine(
        period=st.period,
        due_date=due,
        months_late=ml_line,
        status=status,
        contribution_cents=st.contrib,
        contribution_paid_cents=st.paid_c,
        contribution_outstanding_cents=unpaid,
        surcharge_cents=surcharge,
        surcharge_paid_cents=st.s_paid,
        surcharge_outstanding_cents=s_out,
        fine_cents=fine,
        fine_paid_cents=st.f_paid,
        fine_outstanding_cents=f_out,
        interest_cents=interest,
        interest_paid_cents=st.i_paid,
        interest_outstanding_cents=i_out,
        outstanding_cents=outstanding,
        worker_share_cents=st.worker,
        worker_share_outstanding_cents=st.worker - worker_paid,
        filed_on=st.decl.filed_on,
        origin=st.decl.origin,
        fine_applies=st.fine_amount > 0,
        fine_base_cents=st.fine_base,
        frozen_on=st.freeze,
        waived=frozenset(c for c, b in (("surcharge", 1), ("fine", 2), ("interest", 4)) if w & b),
        waived_by=tuple(st.waived_by),
        days_late=days_line,
        pieces=tuple(st.pieces),
        versions=st.used,
        first_contribution_cents=st.decl.contribution_cents,
        policy_version=st.policy.version,
    )
