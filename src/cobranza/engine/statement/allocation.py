"""Where every cent of every payment goes (rules 3, 4, 6, 7 and the agreements of SPEC §6).

:class:`Allocator` holds the running state of one employer's periods and agreements and applies,
in date order, the real payments and the credit carried forward. It records every
:class:`Allocation` so each figure can be explained back to the payments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cobranza.engine.calendar import months_late
from cobranza.engine.money import round_half_up_ratio
from cobranza.engine.statement.model import AgreementIn, Allocation, InstallmentIn, PaymentIn, Piece
from cobranza.engine.statement.periods import PeriodState, effective
from cobranza.engine.timeline import PolicyTimeline

__all__ = ["AgreementState", "Allocator"]

_CONTRIBUTION, _SURCHARGE, _FINE, _INTEREST = 0, 1, 2, 3
_BIT = {_SURCHARGE: 1, _FINE: 2, _INTEREST: 4}


class AgreementState:
    """An agreement that counts at the statement's date, and what its payments paid so far."""

    __slots__ = (
        "agreement",
        "items",
        "interest_paid",
        "principal_paid",
        "paid_off_on",
        "periods",
        "reference",
    )

    def __init__(self, agreement: AgreementIn, periods: list[int]) -> None:
        self.agreement = agreement
        down = InstallmentIn(0, agreement.signed_on or agreement.drafted_on, agreement.down_payment_cents, 0)
        kept = [
            i
            for i in sorted(agreement.installments, key=lambda i: i.number)
            if agreement.ended_on is None or i.due_date <= agreement.ended_on
        ]
        self.items: list[InstallmentIn] = [down, *kept]
        self.interest_paid = [0] * len(self.items)
        self.principal_paid = [0] * len(self.items)
        self.paid_off_on: list[date | None] = [None] * len(self.items)
        self.periods = periods  # indices of the covered periods, oldest first
        self.reference = agreement.number.casefold()

    def owns(self, p: PaymentIn, covered_periods: set[str]) -> bool:
        """A payment belongs to the agreement when dated after the draft and its reference names the
        agreement or its period is a covered one."""
        if p.paid_on <= self.agreement.drafted_on:
            return False
        return (bool(self.reference) and self.reference in p.reference.casefold()) or (
            p.period is not None and p.period in covered_periods
        )

    def is_down_payment(self, p: PaymentIn) -> bool:
        return self.agreement.down_payment_id is not None and p.payment_id == self.agreement.down_payment_id


class Allocator:
    """Applies payments and credit to one employer's periods and agreements."""

    def __init__(
        self,
        states: list[PeriodState],
        index: dict[str, int],
        agreements: list[AgreementState],
        tl: PolicyTimeline,
        ci_at: Callable[[date], int] | None,
    ) -> None:
        self.states = states
        self.index = index
        self.agreements = agreements
        self.tl = tl
        self.unit = tl.unit_den
        self.interest_den = tl.unit_den * 365
        self.ci_at = ci_at
        self.amnesty_on = bool(tl.amnesties)
        self.allocations: list[Allocation] = []
        self.first_open = 0
        self._advance()

    def _advance(self) -> None:
        n = len(self.states)
        while self.first_open < n and self.states[self.first_open].done:
            self.first_open += 1

    # ------------------------------------------------------------------ one period
    def apply(
        self, st: PeriodState, pid: str, s: date, remaining: int, order: tuple[int, ...], mask: int
    ) -> int:
        """Pay what ``st`` owes at ``s`` in ``order`` (skipping the components in ``mask`` and those
        already waived); return what is left."""
        eff = effective(s, st.freeze)
        due = st.due
        unit = self.unit
        ci_at = self.ci_at
        ml = -1  # months late at eff, computed on first need
        skip = mask | st.waived
        allocations = self.allocations
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
                if ci_at is not None and eff > due:
                    st.wi += x * (ci_at(eff) - st.ci_due)
                st.paid_c += x
                st.last_c = s
                st.pieces.append(Piece(pid, s, x, ml, days))
                remaining -= x
                allocations.append(Allocation(pid, s, st.period, "contribution", x))
                if mask and st.paid_c == st.contrib:
                    st.waived |= mask
                    st.waived_by.extend(a.name for a in self.tl.amnesties_on(s) if a.name not in st.waived_by)
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
                if ci_at is None or eff <= due:
                    continue
                unpaid = st.contrib - st.paid_c
                accrued = round_half_up_ratio(st.wi + unpaid * (ci_at(eff) - st.ci_due), self.interest_den)
                owed = accrued - st.i_paid
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
                and (ci_at is None or w & 4 or st.i_paid == round_half_up_ratio(st.wi, self.interest_den))
            )
        return remaining

    # ------------------------------------------------------------------ ordinary payments and credit
    def spread(self, pid: str, s: date, remaining: int, ref: int | None) -> int:
        """An ordinary payment (or credit) at ``s``: its referenced period first, then every period
        begun by ``s`` oldest first — except the periods an agreement covers from after its draft."""
        order = self.tl.allocation_order(s)
        mask = self.tl.amnesty_mask(s) if self.amnesty_on else 0
        states = self.states
        if ref is not None and not self._held(states[ref], s):
            remaining = self.apply(states[ref], pid, s, remaining, order, mask)
        j = self.first_open
        n = len(states)
        while remaining > 0 and j < n:
            st = states[j]
            if st.start > s:
                break
            if j != ref and not st.done and not self._held(st, s):
                remaining = self.apply(st, pid, s, remaining, order, mask)
            j += 1
        self._advance()
        return remaining

    def _held(self, st: PeriodState, s: date) -> bool:
        return st.agreement is not None and s > self.agreements[st.agreement].agreement.drafted_on

    # ------------------------------------------------------------------ agreements
    def pay_agreement(
        self,
        ag: AgreementState,
        pid: str,
        s: date,
        remaining: int,
        *,
        due_by: date | None,
        items: int | None = None,
    ) -> int:
        """Pay the agreement's items oldest first (``due_by``: only those due by that date, for the
        credit; ``items``: only the first ones, e.g. 1 for the down payment alone): each one's
        interest, then its principal to the covered periods oldest first."""
        order = self.tl.allocation_order(s)
        agreement = ag.agreement
        for k, item in enumerate(ag.items):
            if remaining == 0 or (items is not None and k >= items):
                break
            if due_by is not None and item.due_date > due_by:
                break
            owed = item.interest_cents - ag.interest_paid[k]
            if owed > 0:
                x = owed if owed < remaining else remaining
                ag.interest_paid[k] += x
                remaining -= x
                self.allocations.append(Allocation(pid, s, None, "agreement_interest", x, agreement.number))
            owed = item.principal_cents - ag.principal_paid[k]
            if owed > 0 and remaining > 0:
                x = owed if owed < remaining else remaining
                left = x
                for j in ag.periods:
                    if left == 0:
                        break
                    left = self.apply(self.states[j], pid, s, left, order, 0)
                ag.principal_paid[k] += x - left
                remaining -= x - left
                if left:
                    break  # the covered periods are paid: the rest is an ordinary payment
            if (
                ag.paid_off_on[k] is None
                and ag.principal_paid[k] == item.principal_cents
                and ag.interest_paid[k] == item.interest_cents
            ):
                ag.paid_off_on[k] = s
        self._advance()
        return remaining
