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
8. **Agreements** (SPEC §6, :class:`AgreementIn`): an agreement counts from its signing (down
   payment received) until it lapses; a lapsed one is computed as if it had never existed. While it
   counts, its periods are frozen at the draft's date, the payments that belong to it pay its items
   oldest first (interest of the installment, a line of its own, then principal to the covered
   periods), ordinary payments made after the draft leave its periods alone, and the credit is also
   applied on each installment's due date to what is due of it. The statement's outstanding is then
   the agreement's balance (principal unpaid + interest due unpaid) plus everything not covered.
9. **Lines**: status ``paid`` (nothing outstanding), else ``not_due`` (due date on or after
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

from cobranza.engine.calendar import months_late, period_start
from cobranza.engine.money import round_half_up_ratio
from cobranza.engine.policy import Policy
from cobranza.engine.statement.allocation import AgreementState, Allocator
from cobranza.engine.statement.model import (
    CREDIT_PAYMENT_ID,
    AgreementIn,
    AgreementLine,
    Allocation,
    DeclarationIn,
    InstallmentLine,
    PaymentIn,
    PeriodLine,
    Statement,
    StatementTotals,
    Status,
)
from cobranza.engine.statement.periods import PeriodState, effective, fine_amount, fine_base, in_force
from cobranza.engine.timeline import COMPONENT_BIT, PolicyTimeline, as_timeline

__all__ = ["compute_statement", "fine_amount", "fine_base", "in_force"]


def compute_statement(
    *,
    employer_number: str,
    declarations: Iterable[DeclarationIn],
    payments: Iterable[PaymentIn],
    as_of: date,
    policy: Policy | PolicyTimeline,
    freezes: Mapping[str, date] | None = None,
    waivers: Mapping[str, Iterable[str]] | None = None,
    agreements: Iterable[AgreementIn] = (),
) -> Statement:
    """The statement of one employer as of ``as_of`` (SPEC §5, §6; rules in this module's docstring).

    ``policy`` is the timeline of every version and amnesty (a single :class:`Policy` is a timeline
    of one version). ``agreements`` are the employer's payment agreements (those that do not count
    at ``as_of`` are ignored). ``freezes`` maps a period to a date its surcharge, fine and interest
    stop accruing and ``waivers`` a period to components waived, for callers that fix them
    themselves. Input order does not matter.
    """
    tl = as_timeline(policy)
    freezes = dict(freezes or {})
    waiver_bits: dict[str, int] = {}
    for period, comps in (waivers or {}).items():
        waiver_bits[period] = sum(COMPONENT_BIT.get(c, 0) for c in comps)
    counting = sorted((a for a in agreements if a.counts_at(as_of)), key=lambda a: (a.drafted_on, a.number))
    holder: dict[str, int] = {}
    for k, a in enumerate(counting):
        for period in a.periods:
            # two agreements over one period (a restructuring): the later draft, once signed, holds it;
            # the debt stays frozen at the earliest draft that counts (the restructured one's)
            holder[period] = k
            freezes[period] = min(freezes.get(period, a.drafted_on), a.drafted_on)
            waiver_bits[period] = waiver_bits.get(period, 0) | sum(COMPONENT_BIT.get(c, 0) for c in a.waives)

    decls = sorted((d for d in declarations if period_start(d.period) <= as_of), key=lambda d: d.period)
    states: list[PeriodState] = []
    index: dict[str, int] = {}
    for d in decls:
        if d.period in index:
            raise ValueError(f"patrono {employer_number}: la planilla {d.period} está repetida")
        index[d.period] = len(states)
        st = PeriodState(d, tl, as_of, freezes.get(d.period), waiver_bits.get(d.period, 0))
        st.agreement = holder.get(d.period)
        states.append(st)
    ag_states = [
        AgreementState(a, [j for j, st in enumerate(states) if st.period in a.periods])
        for k, a in enumerate(counting)
    ]
    covered = [{states[j].period for j in ag.periods} for ag in ag_states]

    ci: list[int] = []
    day0 = as_of
    if tl.interest_ever and states:
        day0 = min(st.due for st in states)
        ci = tl.interest_cumulative(day0, max(as_of, day0))
        for st in states:
            st.ci_due = ci[(st.due - day0).days] if st.due <= as_of else 0

    def ci_at(t: date) -> int:
        return ci[(t - day0).days]

    alloc = Allocator(states, index, ag_states, tl, ci_at if tl.interest_ever else None)

    # the days something falls due: each period's due date and the day after (its fine), and each
    # installment's due date
    days = {d for st in states for d in (st.due, st.due + timedelta(days=1))}
    days |= {item.due_date for ag in ag_states for item in ag.items[1:]}
    events = sorted(d for d in days if d <= as_of)
    ei = 0
    credit = 0

    def carry_forward(t: date) -> None:
        nonlocal credit
        if credit > 0:
            credit = alloc.spread(CREDIT_PAYMENT_ID, t, credit, None)
        for ag in ag_states:
            if credit > 0 and ag.agreement.signed_on is not None and ag.agreement.signed_on <= t:
                credit = alloc.pay_agreement(ag, CREDIT_PAYMENT_ID, t, credit, due_by=t)

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
        remaining = p.amount_cents
        for k, ag in enumerate(ag_states):
            if remaining > 0 and ag.owns(p, covered[k]):
                remaining = alloc.pay_agreement(ag, p.payment_id, p.paid_on, remaining, due_by=None)
            elif remaining > 0 and ag.is_down_payment(p):
                remaining = alloc.pay_agreement(ag, p.payment_id, p.paid_on, remaining, due_by=None, items=1)
        ref = index.get(p.period) if p.period is not None else None
        if remaining > 0:
            remaining = alloc.spread(p.payment_id, p.paid_on, remaining, ref)
        if remaining > 0:
            credit += remaining
            alloc.allocations.append(Allocation(p.payment_id, p.paid_on, None, "credit", remaining))
    while ei < len(events):
        carry_forward(events[ei])
        ei += 1

    interest_den = tl.unit_den * 365
    lines = [
        _line(
            st,
            as_of,
            tl.unit_den,
            interest_den,
            ci_at if tl.interest_ever else None,
            None if st.agreement is None else counting[st.agreement].number,
        )
        for st in states
    ]
    agreement_lines = [_agreement_line(ag, as_of) for ag in ag_states]
    tot_c = sum(ln.contribution_outstanding_cents for ln in lines)
    tot_s = sum(ln.surcharge_outstanding_cents for ln in lines)
    tot_f = sum(ln.fine_outstanding_cents for ln in lines)
    tot_i = sum(ln.interest_outstanding_cents for ln in lines)
    tot_ai = sum(a.interest_outstanding_cents for a in agreement_lines)
    overdue = sum(ln.overdue_cents for ln in lines) + sum(
        item.interest_cents - item.interest_paid_cents
        for a in agreement_lines
        for item in a.items
        if item.due_date < as_of
    )
    total = tot_c + tot_s + tot_f + tot_i + tot_ai
    totals = StatementTotals(
        contribution_outstanding_cents=tot_c,
        surcharge_outstanding_cents=tot_s,
        fine_outstanding_cents=tot_f,
        interest_outstanding_cents=tot_i,
        outstanding_cents=total,
        credit_cents=credit,
        worker_share_outstanding_cents=sum(ln.worker_share_outstanding_cents for ln in lines),
        overdue_cents=overdue,
        current_cents=total - overdue,
        agreement_interest_outstanding_cents=tot_ai,
    )
    in_force_now = tl.at(as_of)
    return Statement(
        employer_number=employer_number,
        as_of=as_of,
        policy_version=in_force_now.version,
        periods=lines,
        totals=totals,
        credit_cents=credit,
        allocations=alloc.allocations,
        last_payment_date=last_payment,
        policy=in_force_now,
        timeline=tl,
        agreements=agreement_lines,
    )


def _agreement_line(ag: AgreementState, as_of: date) -> AgreementLine:
    items = tuple(
        InstallmentLine(
            number=item.number,
            due_date=item.due_date,
            principal_cents=item.principal_cents,
            principal_paid_cents=ag.principal_paid[k],
            # interest is charged when due, or when paid in advance
            interest_cents=item.interest_cents if item.due_date <= as_of else ag.interest_paid[k],
            interest_paid_cents=ag.interest_paid[k],
            paid_off_on=ag.paid_off_on[k],
        )
        for k, item in enumerate(ag.items)
    )
    charged = sum(i.interest_cents for i in items)
    paid = sum(i.interest_paid_cents for i in items)
    return AgreementLine(
        number=ag.agreement.number,
        drafted_on=ag.agreement.drafted_on,
        periods=ag.agreement.periods,
        interest_cents=charged,
        interest_paid_cents=paid,
        interest_outstanding_cents=charged - paid,
        principal_cents=sum(i.principal_cents for i in items),
        principal_paid_cents=sum(i.principal_paid_cents for i in items),
        items=items,
    )


def _line(
    st: PeriodState, as_of: date, unit: int, interest_den: int, ci_at: object, agreement: str | None
) -> PeriodLine:
    due = st.due
    eff = effective(as_of, st.freeze)
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
        last_eff = effective(st.last_c, st.freeze)
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
        agreement=agreement,
        policy_version=st.policy.version,
    )
