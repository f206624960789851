"""One employer's statement (estado de cuenta) as of a date — SPEC §5.

The rules, in the order the code applies them:

* Only declarations of periods begun by ``as_of`` (first day <= ``as_of``) and payments with
  ``paid_on <= as_of`` count.
* Payments are applied in order of ``paid_on`` then ``payment_id``. A payment goes first to its
  referenced period (when that period is in the statement), then to the other periods that have
  begun by ``paid_on``, oldest first; inside a period in the policy's allocation order (default:
  contribution, surcharge, fine, interest). What is left is credit, shown and never applied.
* A payment can only pay surcharge, fine and interest already owed at its date: the surcharge
  accrued at date ``s`` is ``round((Σ paid pieces × min(months late at their dates, cap) + unpaid
  contribution × min(months late at s, cap)) × rate)`` minus surcharge already paid; interest
  likewise with days late, actual/365; the fine is owed from the day after the due date.
* A *freeze* (payment agreement, SPEC §6) stops the clock of a period: months and days late are
  measured at ``min(date, freeze date)``.
* Amnesty (policy switch): while the window is open payments do not go to surcharges or fines, and
  a period whose contribution is completed inside the window has its outstanding surcharge and fine
  waived.

All arithmetic is on integers (cents, cent-months, cent-days) with the rates as exact fractions;
each component is rounded half-up once, on the exact sum.

Readings of the spec where it is silent (kept identical in ``batch.py``):

* "referenced period first (when declared)": a declared period of the statement, even one that
  had not begun on ``paid_on`` (a payment made in advance for it); a reference to an undeclared
  period is ignored and the payment goes oldest first.
* A declaration counts as soon as its period has begun by ``as_of``, whatever its ``filed_on``.
* The fine is shown (and payable) only from the day after the due date; with a freeze on or before
  the due date no fine is owed. ``months_late`` of a line is measured at ``min(date, freeze)``.
* Status precedence is the spec's: paid, then not_due, then unpaid (no component paid at all),
  then partial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal

from cobranza.engine.calendar import due_date as _due_date
from cobranza.engine.calendar import months_late, parse_period, period_start
from cobranza.engine.money import fmt_cents, fmt_rate_percent, fmt_usd, rate_fraction, round_half_up_ratio
from cobranza.engine.policy import Policy

__all__ = [
    "ORIGINS",
    "STATUSES",
    "Allocation",
    "DeclarationIn",
    "EmployerSummary",
    "EngineRates",
    "PaymentIn",
    "PeriodLine",
    "Piece",
    "Statement",
    "StatementTotals",
    "compute_statement",
    "check_declaration_amounts",
    "engine_rates",
    "fine_applies",
]

Status = Literal["paid", "partial", "unpaid", "not_due"]
STATUSES: tuple[str, ...] = ("paid", "partial", "unpaid", "not_due")
ORIGINS: tuple[str, ...] = ("employer", "de_oficio")
STATUS_ES: dict[str, str] = {
    "paid": "pagado",
    "partial": "pago parcial",
    "unpaid": "sin pago",
    "not_due": "no vencido",
}
COMPONENT_ES: dict[str, str] = {
    "contribution": "cotización",
    "surcharge": "recargo",
    "fine": "multa",
    "interest": "interés",
    "credit": "saldo a favor",
}

_CONTRIBUTION, _SURCHARGE, _FINE, _INTEREST = 0, 1, 2, 3
_COMPONENT_CODES = {
    "contribution": _CONTRIBUTION,
    "surcharge": _SURCHARGE,
    "fine": _FINE,
    "interest": _INTEREST,
}


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class DeclarationIn:
    """A declared period. ``contribution_cents`` = employer + worker contribution.

    ``filed_on`` empty or ``origin == "de_oficio"`` means a payroll prepared by the institute.
    """

    period: str
    contribution_cents: int
    filed_on: date | None = None
    origin: str = "employer"

    def __post_init__(self) -> None:
        parse_period(self.period)
        if isinstance(self.contribution_cents, bool) or not isinstance(self.contribution_cents, int):
            raise TypeError(f"{self.period}: la cotización debe ser un entero de centavos")
        if self.contribution_cents < 0:
            raise ValueError(
                f"{self.period}: la cotización no puede ser negativa ({self.contribution_cents})"
            )
        if self.origin not in ORIGINS:
            raise ValueError(f"{self.period}: origen desconocido {self.origin!r} (employer|de_oficio)")
        if self.filed_on is not None and not isinstance(self.filed_on, date):
            raise TypeError(f"{self.period}: fecha de presentación inválida {self.filed_on!r}")


@dataclass(frozen=True, slots=True)
class PaymentIn:
    """A payment. ``period`` (optional; ``""`` is treated as none) is the period it was made for."""

    payment_id: str
    paid_on: date
    amount_cents: int
    period: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.payment_id, str) or not self.payment_id:
            raise ValueError("pago sin identificador")
        if not isinstance(self.paid_on, date):
            raise TypeError(f"pago {self.payment_id}: fecha inválida {self.paid_on!r}")
        if isinstance(self.amount_cents, bool) or not isinstance(self.amount_cents, int):
            raise TypeError(f"pago {self.payment_id}: el monto debe ser un entero de centavos")
        if self.amount_cents <= 0:
            raise ValueError(f"pago {self.payment_id}: el monto debe ser positivo ({self.amount_cents})")
        if self.period == "":
            object.__setattr__(self, "period", None)
        elif self.period is not None:
            parse_period(self.period)


# --------------------------------------------------------------------------------------- outputs
@dataclass(frozen=True, slots=True)
class Allocation:
    """``cents`` of payment ``payment_id`` went to ``component`` of ``period``.

    ``component`` is one of contribution, surcharge, fine, interest, or ``credit`` (then ``period``
    is ``None``): the allocations of a payment always add up to its amount.
    """

    payment_id: str
    paid_on: date
    period: str | None
    component: str
    cents: int


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of contribution paid at ``paid_on`` and the delay it was charged with."""

    payment_id: str
    paid_on: date
    cents: int
    months_late: int  # at min(paid_on, freeze), before the cap
    days_late: int


@dataclass(frozen=True, slots=True)
class PeriodLine:
    period: str
    due_date: date
    months_late: int
    status: Status
    contribution_cents: int
    contribution_paid_cents: int
    contribution_outstanding_cents: int
    surcharge_cents: int
    surcharge_paid_cents: int
    surcharge_outstanding_cents: int
    fine_cents: int
    fine_paid_cents: int
    fine_outstanding_cents: int
    interest_cents: int
    interest_paid_cents: int
    interest_outstanding_cents: int
    outstanding_cents: int
    # detail for explanations and screens
    filed_on: date | None = None
    origin: str = "employer"
    fine_applies: bool = False
    frozen_on: date | None = None
    amnesty_waived: bool = False
    days_late: int = 0
    pieces: tuple[Piece, ...] = ()

    @property
    def overdue(self) -> bool:
        """Something is outstanding and the due date has passed (status unpaid or partial)."""
        return self.status in ("unpaid", "partial")

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "due_date": self.due_date.isoformat(),
            "months_late": self.months_late,
            "status": self.status,
            "contribution": fmt_cents(self.contribution_cents),
            "contribution_paid": fmt_cents(self.contribution_paid_cents),
            "contribution_outstanding": fmt_cents(self.contribution_outstanding_cents),
            "surcharge": fmt_cents(self.surcharge_cents),
            "surcharge_paid": fmt_cents(self.surcharge_paid_cents),
            "surcharge_outstanding": fmt_cents(self.surcharge_outstanding_cents),
            "fine": fmt_cents(self.fine_cents),
            "fine_paid": fmt_cents(self.fine_paid_cents),
            "fine_outstanding": fmt_cents(self.fine_outstanding_cents),
            "interest": fmt_cents(self.interest_cents),
            "interest_paid": fmt_cents(self.interest_paid_cents),
            "interest_outstanding": fmt_cents(self.interest_outstanding_cents),
            "outstanding": fmt_cents(self.outstanding_cents),
        }


@dataclass(frozen=True, slots=True)
class StatementTotals:
    contribution_outstanding_cents: int
    surcharge_outstanding_cents: int
    fine_outstanding_cents: int
    interest_outstanding_cents: int
    outstanding_cents: int
    credit_cents: int

    def to_json_dict(self) -> dict[str, str]:
        return {
            "contribution_outstanding": fmt_cents(self.contribution_outstanding_cents),
            "surcharge_outstanding": fmt_cents(self.surcharge_outstanding_cents),
            "fine_outstanding": fmt_cents(self.fine_outstanding_cents),
            "interest_outstanding": fmt_cents(self.interest_outstanding_cents),
            "outstanding": fmt_cents(self.outstanding_cents),
            "credit": fmt_cents(self.credit_cents),
        }


@dataclass(frozen=True, slots=True)
class EmployerSummary:
    """Per-employer figures for portfolios and lists (the batch computes the same columns).

    Overdue periods are those with status unpaid or partial; ``months_in_arrears`` is the largest
    ``months_late`` among them and ``oldest_unpaid_period`` the oldest of them.
    """

    employer_number: str
    contribution_outstanding_cents: int
    surcharge_outstanding_cents: int
    fine_outstanding_cents: int
    interest_outstanding_cents: int
    outstanding_cents: int
    credit_cents: int
    overdue_periods: int
    months_in_arrears: int
    oldest_unpaid_period: str | None
    last_payment_date: date | None


@dataclass(frozen=True)
class Statement:
    """A computed statement: lines per period (ascending), totals, credit, and every allocation of
    every payment (the audit trail behind each figure). ``explain(period)`` gives the Spanish
    explanation; ``to_json_dict()`` the SPEC §5 JSON."""

    employer_number: str
    as_of: date
    policy_version: str
    periods: list[PeriodLine]
    totals: StatementTotals
    credit_cents: int
    allocations: list[Allocation]
    last_payment_date: date | None
    policy: Policy = field(repr=False, compare=False)

    def line(self, period: str) -> PeriodLine:
        for ln in self.periods:
            if ln.period == period:
                return ln
        raise KeyError(period)

    def to_json_dict(self) -> dict[str, Any]:
        """Exactly the SPEC §5 statement JSON (key order included)."""
        return {
            "employer_number": self.employer_number,
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "periods": [ln.to_json_dict() for ln in self.periods],
            "totals": self.totals.to_json_dict(),
        }

    def summary(self) -> EmployerSummary:
        overdue = [ln for ln in self.periods if ln.overdue]
        t = self.totals
        return EmployerSummary(
            employer_number=self.employer_number,
            contribution_outstanding_cents=t.contribution_outstanding_cents,
            surcharge_outstanding_cents=t.surcharge_outstanding_cents,
            fine_outstanding_cents=t.fine_outstanding_cents,
            interest_outstanding_cents=t.interest_outstanding_cents,
            outstanding_cents=t.outstanding_cents,
            credit_cents=t.credit_cents,
            overdue_periods=len(overdue),
            months_in_arrears=max((ln.months_late for ln in overdue), default=0),
            oldest_unpaid_period=overdue[0].period if overdue else None,
            last_payment_date=self.last_payment_date,
        )

    def allocations_for(self, period: str) -> list[Allocation]:
        return [a for a in self.allocations if a.period == period]

    def _allocations_by_period(self) -> dict[str | None, list[Allocation]]:
        by_period: dict[str | None, list[Allocation]] = {}
        for a in self.allocations:
            by_period.setdefault(a.period, []).append(a)
        return by_period

    def explain(self, period: str) -> str:
        """Spanish explanation of every figure of one period: rule, rate, policy version and
        which payments paid what."""
        return _explain(self, self.line(period), self.allocations_for(period))

    def explanations(self) -> dict[str, str]:
        """Explanation of every period (computed on demand: statements are often built only for
        their figures)."""
        by_period = self._allocations_by_period()
        return {ln.period: _explain(self, ln, by_period.get(ln.period, [])) for ln in self.periods}

    def explain_credit(self) -> str:
        credit = [a for a in self.allocations if a.component == "credit"]
        if not credit:
            return "Saldo a favor: $0.00."
        parts = ", ".join(f"{a.payment_id} del {_d(a.paid_on)}: {fmt_usd(a.cents)}" for a in credit)
        return (
            f"Saldo a favor: {fmt_usd(self.credit_cents)} sobrante de pagos que no tenían deuda exigible "
            f"a su fecha ({parts}); se muestra y no se aplica automáticamente."
        )


# --------------------------------------------------------------------------------------- rates
@dataclass(frozen=True, slots=True)
class EngineRates:
    """The policy's rates as exact integer fractions, shared by the single and batch paths.

    surcharge = round(cent_months × surcharge_num / surcharge_den);
    fine = round(cents × fine_num / fine_den);
    interest = round(cent_days × interest_num / interest_den) (``interest_den`` includes the 365).
    """

    surcharge_num: int
    surcharge_den: int
    surcharge_cap: int
    fine_enabled: bool
    fine_num: int
    fine_den: int
    interest_enabled: bool
    interest_num: int
    interest_den: int
    order: tuple[int, ...]
    amnesty_start: date | None
    amnesty_end: date | None


@lru_cache(maxsize=64)
def engine_rates(policy: Policy) -> EngineRates:
    s_num, s_den = rate_fraction(policy.surcharge_monthly_rate)
    f_num, f_den = rate_fraction(policy.fine_rate)
    i_num, i_den = rate_fraction(policy.interest_annual_rate)
    interest_on = policy.interest_enabled and i_num != 0
    return EngineRates(
        surcharge_num=s_num,
        surcharge_den=s_den,
        surcharge_cap=policy.surcharge_max_months,
        fine_enabled=policy.fine_enabled,
        fine_num=f_num,
        fine_den=f_den,
        interest_enabled=interest_on,
        interest_num=i_num if interest_on else 0,
        interest_den=i_den * 365,
        order=tuple(_COMPONENT_CODES[c] for c in policy.allocation_order),
        amnesty_start=policy.amnesty_start if policy.amnesty_enabled else None,
        amnesty_end=policy.amnesty_end if policy.amnesty_enabled else None,
    )


def fine_applies(decl_filed_on: date | None, origin: str, due: date, policy: Policy) -> bool:
    """SPEC §5: the fine applies when the payroll was filed after its due date or de oficio."""
    return policy.fine_enabled and (origin == "de_oficio" or decl_filed_on is None or decl_filed_on > due)


def check_declaration_amounts(
    *,
    workers: int,
    salary_base_cents: int,
    employer_contribution_cents: int,
    worker_contribution_cents: int,
    policy: Policy,
) -> list[str]:
    """Reconciliation check of a declaration (SPEC §5: flagged, never changed).

    Returns the problems in Spanish (empty list when consistent): a salary base above
    ``workers × salary ceiling``, or a contribution that differs from ``rate × salary base`` by more
    than one cent per worker (the declaration rounds worker by worker, the check on the total).
    """
    problems: list[str] = []
    ceiling = workers * policy.salary_ceiling_cents
    if salary_base_cents > ceiling:
        problems.append(
            f"El salario afecto {fmt_usd(salary_base_cents)} supera el máximo cotizable de {workers} "
            f"trabajador(es) × {fmt_usd(policy.salary_ceiling_cents)} = {fmt_usd(ceiling)}."
        )
    tolerance = max(workers, 1)
    for label, rate, declared in (
        ("patronal", policy.employer_rate, employer_contribution_cents),
        ("laboral", policy.worker_rate, worker_contribution_cents),
    ):
        num, den = rate_fraction(rate)
        expected = round_half_up_ratio(salary_base_cents * num, den)
        if abs(declared - expected) > tolerance:
            problems.append(
                f"La cotización {label} {fmt_usd(declared)} no coincide con {fmt_rate_percent(rate)} de "
                f"{fmt_usd(salary_base_cents)} = {fmt_usd(expected)} (diferencia {fmt_usd(declared - expected)})."
            )
    return problems


# ---------------------------------------------------------------------------------- computation
class _PeriodState:
    __slots__ = (
        "period",
        "start",
        "due",
        "freeze",
        "contrib",
        "filed_on",
        "origin",
        "fine_applies",
        "fine_amount",
        "paid_c",
        "ws",
        "wi",
        "s_paid",
        "f_paid",
        "i_paid",
        "last_c",
        "waived",
        "done",
        "pieces",
    )

    def __init__(
        self, d: DeclarationIn, due: date, freeze: date | None, rates: EngineRates, applies: bool
    ) -> None:
        self.period = d.period
        self.start = period_start(d.period)
        self.due = due
        self.freeze = freeze
        self.contrib = d.contribution_cents
        self.filed_on = d.filed_on
        self.origin = d.origin
        self.fine_applies = applies
        self.fine_amount = (
            round_half_up_ratio(d.contribution_cents * rates.fine_num, rates.fine_den) if applies else 0
        )
        self.paid_c = 0
        self.ws = 0  # Σ paid pieces × min(months late, cap): cent-months
        self.wi = 0  # Σ paid pieces × days late: cent-days
        self.s_paid = 0
        self.f_paid = 0
        self.i_paid = 0
        self.last_c: date | None = None
        self.waived = False
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
    policy: Policy,
    freezes: Mapping[str, date] | None = None,
) -> Statement:
    """The statement of one employer as of ``as_of`` under ``policy`` (SPEC §5).

    ``freezes`` maps a period to the date its surcharge, fine and interest stop accruing (the
    signing date of a payment agreement that covers it). Input order does not matter.
    """
    rates = engine_rates(policy)
    cap = rates.surcharge_cap
    s_num, s_den = rates.surcharge_num, rates.surcharge_den
    i_num, i_den = rates.interest_num, rates.interest_den
    interest_on = rates.interest_enabled
    order = rates.order
    am_start, am_end = rates.amnesty_start, rates.amnesty_end
    freezes = freezes or {}

    decls = sorted((d for d in declarations if period_start(d.period) <= as_of), key=lambda d: d.period)
    states: list[_PeriodState] = []
    index: dict[str, int] = {}
    for d in decls:
        if d.period in index:
            raise ValueError(f"patrono {employer_number}: la planilla {d.period} está repetida")
        due = _due_date(d.period, policy)
        applies = fine_applies(d.filed_on, d.origin, due, policy)
        index[d.period] = len(states)
        states.append(_PeriodState(d, due, freezes.get(d.period), rates, applies))

    pays = sorted((p for p in payments if p.paid_on <= as_of), key=lambda p: (p.paid_on, p.payment_id))
    seen_ids: set[str] = set()
    allocations: list[Allocation] = []
    credit = 0
    first_open = 0
    n = len(states)
    while first_open < n and states[first_open].done:
        first_open += 1

    def apply(st: _PeriodState, p: PaymentIn, remaining: int, in_window: bool) -> int:
        s = p.paid_on
        eff = _effective(s, st.freeze)
        due = st.due
        ml = -1  # months late at eff, computed on first need
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
                st.ws += x * (ml if ml < cap else cap)
                st.wi += x * days
                st.paid_c += x
                st.last_c = s
                st.pieces.append(Piece(p.payment_id, s, x, ml, days))
                remaining -= x
                allocations.append(Allocation(p.payment_id, s, st.period, "contribution", x))
                if in_window and st.paid_c == st.contrib:
                    st.waived = True
            elif comp == _SURCHARGE:
                if in_window or st.waived:
                    continue
                if ml < 0:
                    ml = months_late(due, eff)
                unpaid = st.contrib - st.paid_c
                accrued = round_half_up_ratio((st.ws + unpaid * (ml if ml < cap else cap)) * s_num, s_den)
                owed = accrued - st.s_paid
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.s_paid += x
                remaining -= x
                allocations.append(Allocation(p.payment_id, s, st.period, "surcharge", x))
            elif comp == _FINE:
                if not st.fine_applies or in_window or st.waived or eff <= due:
                    continue
                owed = st.fine_amount - st.f_paid
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.f_paid += x
                remaining -= x
                allocations.append(Allocation(p.payment_id, s, st.period, "fine", x))
            else:
                if not interest_on:
                    continue
                days = (eff - due).days if eff > due else 0
                unpaid = st.contrib - st.paid_c
                accrued = round_half_up_ratio((st.wi + unpaid * days) * i_num, i_den)
                owed = accrued - st.i_paid
                if owed <= 0:
                    continue
                x = owed if owed < remaining else remaining
                st.i_paid += x
                remaining -= x
                allocations.append(Allocation(p.payment_id, s, st.period, "interest", x))
        if st.paid_c == st.contrib:
            st.done = (
                (st.waived or st.s_paid == round_half_up_ratio(st.ws * s_num, s_den))
                and (st.waived or st.f_paid == st.fine_amount)
                and (not interest_on or st.i_paid == round_half_up_ratio(st.wi * i_num, i_den))
            )
        return remaining

    last_payment: date | None = None
    for p in pays:
        if p.payment_id in seen_ids:
            raise ValueError(f"patrono {employer_number}: el pago {p.payment_id} está repetido")
        seen_ids.add(p.payment_id)
        last_payment = p.paid_on
        remaining = p.amount_cents
        in_window = am_start is not None and am_end is not None and am_start <= p.paid_on <= am_end
        ref = index.get(p.period) if p.period is not None else None
        if ref is not None:
            remaining = apply(states[ref], p, remaining, in_window)
        j = first_open
        while remaining > 0 and j < n:
            st = states[j]
            if st.start > p.paid_on:
                break
            if j != ref and not st.done:
                remaining = apply(st, p, remaining, in_window)
            j += 1
        while first_open < n and states[first_open].done:
            first_open += 1
        if remaining > 0:
            credit += remaining
            allocations.append(Allocation(p.payment_id, p.paid_on, None, "credit", remaining))

    lines: list[PeriodLine] = []
    tot_c = tot_s = tot_f = tot_i = 0
    for st in states:
        due = st.due
        eff = _effective(as_of, st.freeze)
        unpaid = st.contrib - st.paid_c
        ml_a = months_late(due, eff)
        days_a = (eff - due).days if eff > due else 0
        surcharge = round_half_up_ratio((st.ws + unpaid * (ml_a if ml_a < cap else cap)) * s_num, s_den)
        fine = st.fine_amount if (st.fine_applies and eff > due) else 0
        interest = round_half_up_ratio((st.wi + unpaid * days_a) * i_num, i_den) if interest_on else 0
        if st.waived:
            surcharge = st.s_paid
            fine = st.f_paid
        if unpaid > 0:
            ml_line, days_line = ml_a, days_a
        elif st.last_c is not None:
            last_eff = _effective(st.last_c, st.freeze)
            ml_line = months_late(due, last_eff)
            days_line = (last_eff - due).days if last_eff > due else 0
        else:
            ml_line, days_line = 0, 0
        c_out = unpaid
        s_out = surcharge - st.s_paid
        f_out = fine - st.f_paid
        i_out = interest - st.i_paid
        outstanding = c_out + s_out + f_out + i_out
        status: Status
        if outstanding == 0:
            status = "paid"
        elif due >= as_of:
            status = "not_due"
        elif st.paid_c == 0 and st.s_paid == 0 and st.f_paid == 0 and st.i_paid == 0:
            status = "unpaid"
        else:
            status = "partial"
        tot_c += c_out
        tot_s += s_out
        tot_f += f_out
        tot_i += i_out
        lines.append(
            PeriodLine(
                period=st.period,
                due_date=due,
                months_late=ml_line,
                status=status,
                contribution_cents=st.contrib,
                contribution_paid_cents=st.paid_c,
                contribution_outstanding_cents=c_out,
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
                filed_on=st.filed_on,
                origin=st.origin,
                fine_applies=st.fine_applies,
                frozen_on=st.freeze,
                amnesty_waived=st.waived,
                days_late=days_line,
                pieces=tuple(st.pieces),
            )
        )
    totals = StatementTotals(
        contribution_outstanding_cents=tot_c,
        surcharge_outstanding_cents=tot_s,
        fine_outstanding_cents=tot_f,
        interest_outstanding_cents=tot_i,
        outstanding_cents=tot_c + tot_s + tot_f + tot_i,
        credit_cents=credit,
    )
    return Statement(
        employer_number=employer_number,
        as_of=as_of,
        policy_version=policy.version,
        periods=lines,
        totals=totals,
        credit_cents=credit,
        allocations=allocations,
        last_payment_date=last_payment,
        policy=policy,
    )


# ---------------------------------------------------------------------------------- explanations
def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _fmt_exact_cents(x: Fraction) -> str:
    """An exact amount in cents as dollars with every significant decimal (≈ when not finite)."""
    dollars = x / 100
    for places in range(2, 13):
        q = dollars * 10**places
        if q.denominator == 1:
            whole, frac = divmod(q.numerator, 10**places)
            tail = f"{frac:0{places}d}".rstrip("0").ljust(2, "0")
            return f"${whole:,}.{tail}"
    approx = round_half_up_ratio(dollars.numerator * 10**6, dollars.denominator)
    whole, frac = divmod(approx, 10**6)
    return f"≈ ${whole:,}.{frac:06d}"


def _months_word(n: int) -> str:
    return "1 mes" if n == 1 else f"{n} meses"


def _explain(stmt: Statement, ln: PeriodLine, allocs: list[Allocation]) -> str:
    policy = stmt.policy
    rates = engine_rates(policy)
    cap = rates.surcharge_cap
    as_of = stmt.as_of
    eff_a = _effective(as_of, ln.frozen_on)
    lines: list[str] = []

    if ln.origin == "de_oficio" or ln.filed_on is None:
        filed = "planilla de oficio (elaborada por el Instituto)"
    else:
        filed = f"planilla presentada el {_d(ln.filed_on)}"
    lines.append(
        f"Período {ln.period} ({filed}). Vence el {_d(ln.due_date)}: {policy.due_business_day}.º día hábil del mes "
        f"siguiente (política {policy.version}). Estado al {_d(as_of)}: {STATUS_ES[ln.status]}."
    )
    if ln.frozen_on is not None:
        lines.append(
            f"Congelado por convenio de pago el {_d(ln.frozen_on)}: recargo, multa e intereses se calculan a esa fecha."
        )

    def paid_by(component: str) -> str:
        rows = [a for a in allocs if a.component == component]
        if not rows:
            return ""
        return (
            " ("
            + "; ".join(f"pago {a.payment_id} del {_d(a.paid_on)}: {fmt_usd(a.cents)}" for a in rows)
            + ")"
        )

    lines.append(
        f"Cotización: {fmt_usd(ln.contribution_cents)}; pagado {fmt_usd(ln.contribution_paid_cents)}"
        f"{paid_by('contribution')}; pendiente {fmt_usd(ln.contribution_outstanding_cents)}."
    )

    # surcharge
    rate_txt = fmt_rate_percent(policy.surcharge_monthly_rate)
    terms: list[str] = []
    weighted = 0
    for pc in ln.pieces:
        m = min(pc.months_late, cap)
        weighted += pc.cents * m
        terms.append(f"{fmt_usd(pc.cents)} pagados el {_d(pc.paid_on)} × {_months_word(m)}")
    unpaid = ln.contribution_outstanding_cents
    if unpaid:
        m_a = min(months_late(ln.due_date, eff_a), cap)
        weighted += unpaid * m_a
        terms.append(f"{fmt_usd(unpaid)} pendientes al {_d(eff_a)} × {_months_word(m_a)}")
    exact = Fraction(weighted * rates.surcharge_num, rates.surcharge_den)
    rule = f"{rate_txt} por mes o fracción de atraso, simple, máximo {cap} meses"
    if ln.amnesty_waived:
        lines.append(
            f"Recargo: condonado por amnistía (cotización pagada completa dentro de la ventana); "
            f"pagado antes {fmt_usd(ln.surcharge_paid_cents)}."
        )
    elif weighted == 0:
        lines.append(f"Recargo ({rule}): $0.00, sin atraso a la fecha.")
    else:
        lines.append(
            f"Recargo ({rule}): ({' + '.join(terms)}) × {rate_txt} = {_fmt_exact_cents(exact)} → "
            f"{fmt_usd(ln.surcharge_cents)} (redondeo al centavo, mitad hacia arriba); pagado "
            f"{fmt_usd(ln.surcharge_paid_cents)}{paid_by('surcharge')}; pendiente {fmt_usd(ln.surcharge_outstanding_cents)}."
        )

    # fine
    if not policy.fine_enabled:
        lines.append(f"Multa: desactivada en la política {policy.version}.")
    elif not ln.fine_applies:
        lines.append("Multa: no aplica (planilla presentada a tiempo).")
    else:
        reason = (
            "planilla de oficio"
            if ln.origin == "de_oficio" or ln.filed_on is None
            else f"planilla presentada después del vencimiento ({_d(ln.filed_on)})"
        )
        fine_rate = fmt_rate_percent(policy.fine_rate)
        amount = Fraction(ln.contribution_cents * rates.fine_num, rates.fine_den)
        if ln.amnesty_waived:
            lines.append(f"Multa: condonada por amnistía; pagado antes {fmt_usd(ln.fine_paid_cents)}.")
        elif ln.fine_cents == 0 and ln.contribution_cents > 0:
            lines.append(
                f"Multa: {fine_rate} de {fmt_usd(ln.contribution_cents)} por {reason}; exigible a partir del día "
                f"siguiente al vencimiento, aún no exigible."
            )
        else:
            lines.append(
                f"Multa: {fine_rate} de {fmt_usd(ln.contribution_cents)} = {_fmt_exact_cents(amount)} → "
                f"{fmt_usd(ln.fine_cents)}, por {reason}, una sola vez; pagado {fmt_usd(ln.fine_paid_cents)}"
                f"{paid_by('fine')}; pendiente {fmt_usd(ln.fine_outstanding_cents)}."
            )

    # interest
    if not rates.interest_enabled:
        lines.append(f"Interés moratorio: desactivado en la política {policy.version}.")
    else:
        i_rate = fmt_rate_percent(policy.interest_annual_rate)
        i_terms = [f"{fmt_usd(pc.cents)} × {pc.days_late} días" for pc in ln.pieces]
        cent_days = sum(pc.cents * pc.days_late for pc in ln.pieces)
        if unpaid:
            d_a = (eff_a - ln.due_date).days if eff_a > ln.due_date else 0
            cent_days += unpaid * d_a
            i_terms.append(f"{fmt_usd(unpaid)} pendientes × {d_a} días")
        exact_i = Fraction(cent_days * rates.interest_num, rates.interest_den)
        lines.append(
            f"Interés moratorio ({i_rate} anual, simple, días reales/365): ({' + '.join(i_terms)}) × {i_rate} / 365 = "
            f"{_fmt_exact_cents(exact_i)} → {fmt_usd(ln.interest_cents)}; pagado {fmt_usd(ln.interest_paid_cents)}"
            f"{paid_by('interest')}; pendiente {fmt_usd(ln.interest_outstanding_cents)}."
        )

    if ln.contribution_outstanding_cents:
        ml_txt = f"de la cotización pendiente al {_d(eff_a)}"
    elif ln.pieces:
        ml_txt = f"del último pago de cotización, {_d(ln.pieces[-1].paid_on)}"
    else:
        ml_txt = "sin cotización que pagar"
    lines.append(
        f"Meses de atraso: {ln.months_late} ({ml_txt}). Total pendiente del período: {fmt_usd(ln.outstanding_cents)}."
    )
    return "\n".join(lines)
