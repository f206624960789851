"""Payment agreements (convenios de pago) — SPEC §6: options, French schedules, lapse.

Money is integer cents; the installment of the French (constant-payment) schedule is computed
exactly with ``Fraction`` — ``(1 + r)^n`` of a decimal rate is an exact rational — and rounded
half-up once. Each installment's interest is ``round(balance × r)``; the last installment takes
the whole remaining balance, so the schedule always ends at exactly zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from cobranza.engine.calendar import add_months
from cobranza.engine.money import fmt_cents, fmt_rate_percent, fmt_usd, round_half_up, round_half_up_ratio
from cobranza.engine.policy import Policy

__all__ = [
    "AgreementOption",
    "AgreementOptionError",
    "InstallmentState",
    "InstallmentStatus",
    "ScheduleLine",
    "Simulation",
    "allowed_terms",
    "apply_installment_payments",
    "band_max_installments",
    "build_schedule",
    "days_overdue",
    "down_payment_rule_text",
    "installment_status",
    "is_lapsed",
    "lapse_date",
    "min_down_payment",
    "monthly_rate",
    "options_for",
    "overdue_installments",
    "validate_option",
]

InstallmentStatus = Literal["paid", "pending", "overdue"]


class AgreementOptionError(ValueError):
    """An agreement option the policy refuses; the Spanish message gives the reason and limits."""


# ------------------------------------------------------------------------------------ bands
def _band_limit_text(limit: int | None) -> str:
    return "sin límite" if limit is None else f"hasta {fmt_usd(limit)}"


def _term_band(debt_cents: int, policy: Policy) -> tuple[int | None, int]:
    for limit, max_n in policy.agreement_term_bands:
        if limit is None or debt_cents <= limit:
            return limit, max_n
    raise AssertionError("policy bands end with an unlimited band")  # pragma: no cover


def band_max_installments(debt_cents: int, policy: Policy) -> int:
    """Maximum number of installments for a debt (``agreement_term_bands``: ≤ $1,000 → 6 …)."""
    return _term_band(debt_cents, policy)[1]


def monthly_rate(n: int, policy: Policy) -> Decimal:
    """Monthly interest rate for an ``n``-installment agreement (``agreement_rate_bands``)."""
    if n < 1:
        raise AgreementOptionError(f"El número de cuotas debe ser al menos 1 (se pidieron {n}).")
    for limit, rate in policy.agreement_rate_bands:
        if limit is None or n <= limit:
            return rate
    raise AssertionError("policy bands end with an unlimited band")  # pragma: no cover


def _worker_share_part(debt_cents: int, worker_share_cents: int | None, policy: Policy) -> int:
    """The part of the debt the minimum down payment takes whole: the outstanding worker share when
    the policy's worker-share rule is on (clamped to the debt), else nothing."""
    if not policy.agreement_down_payment_worker_share:
        return 0
    if worker_share_cents is None:
        raise ValueError(
            "la política exige el 100 % de la cuota laboral pendiente en la prima: indique worker_share_cents"
        )
    return min(max(worker_share_cents, 0), max(debt_cents, 0))


def min_down_payment(debt_cents: int, policy: Policy, *, worker_share_cents: int | None = None) -> int:
    """Minimum down payment (SPEC §4), rounded **up** to the cent: ``ceil(debt × rate)`` — 20 % of
    $461.46 is $92.292, so the minimum is $92.30 ($92.29 would be less than 20 %).

    With the policy's worker-share switch on, the outstanding worker share (``worker_share_cents``,
    required then) is taken whole and the rate applies to the rest: ``W + ceil((debt − W) × rate)``.
    """
    worker = _worker_share_part(debt_cents, worker_share_cents, policy)
    rest = debt_cents - worker
    return worker + math.ceil(Fraction(rest) * Fraction(policy.agreement_min_down_payment_rate))


def down_payment_rule_text(debt_cents: int, policy: Policy, *, worker_share_cents: int | None = None) -> str:
    """How the minimum down payment is made up, in Spanish: ``20 % de $461.46`` or, with the
    worker-share rule, ``100 % de la cuota laboral pendiente ($50.00) más 20 % del resto ($411.46)``."""
    rate_txt = fmt_rate_percent(policy.agreement_min_down_payment_rate)
    if not policy.agreement_down_payment_worker_share:
        return f"{rate_txt} de {fmt_usd(debt_cents)}, redondeado al centavo superior"
    worker = _worker_share_part(debt_cents, worker_share_cents, policy)
    return (
        f"100 % de la cuota laboral pendiente ({fmt_usd(worker)}) más {rate_txt} del resto "
        f"({fmt_usd(debt_cents - worker)}), redondeado al centavo superior"
    )


def allowed_terms(debt_cents: int, policy: Policy) -> list[int]:
    """The policy's offered terms (3, 6, 9, …) up to the debt band's maximum."""
    max_n = band_max_installments(debt_cents, policy)
    return [t for t in policy.agreement_allowed_terms if t <= max_n]


def validate_option(
    debt_cents: int,
    down_payment_cents: int,
    installments: int,
    policy: Policy,
    *,
    worker_share_cents: int | None = None,
) -> None:
    """Refuse an option the policy does not allow, with the reason and the limits (Spanish).
    ``worker_share_cents`` (the outstanding worker share inside the debt) is required when the
    policy's worker-share rule is on (see :func:`min_down_payment`)."""
    if debt_cents <= 0:
        raise AgreementOptionError(
            f"No hay deuda que convenir: el saldo pendiente es {fmt_usd(max(debt_cents, 0))}."
        )
    if down_payment_cents < 0:
        raise AgreementOptionError(f"La prima no puede ser negativa ({fmt_usd(down_payment_cents)}).")
    minimum = min_down_payment(debt_cents, policy, worker_share_cents=worker_share_cents)
    if down_payment_cents < minimum:
        rule = down_payment_rule_text(debt_cents, policy, worker_share_cents=worker_share_cents)
        limits = (
            f"prima entre {fmt_usd(minimum)} y {fmt_usd(debt_cents - 1)}"
            if minimum < debt_cents
            else "con esta deuda corresponde el pago de contado"
        )
        raise AgreementOptionError(
            f"La prima mínima es {fmt_usd(minimum)} ({rule}); "
            f"la prima propuesta de {fmt_usd(down_payment_cents)} no la alcanza ({limits})."
        )
    if down_payment_cents >= debt_cents:
        raise AgreementOptionError(
            f"La prima de {fmt_usd(down_payment_cents)} cubre toda la deuda de {fmt_usd(debt_cents)}: "
            f"corresponde el pago de contado, no un convenio (prima entre {fmt_usd(minimum)} y "
            f"{fmt_usd(debt_cents - 1)})."
        )
    limit, max_n = _term_band(debt_cents, policy)
    if installments < 1:
        raise AgreementOptionError(
            f"El número de cuotas debe estar entre 1 y {max_n} (se pidieron {installments})."
        )
    if installments > max_n:
        raise AgreementOptionError(
            f"El plazo máximo para una deuda de {fmt_usd(debt_cents)} ({_band_limit_text(limit)}) es de "
            f"{max_n} cuotas; se pidieron {installments}."
        )
    financed = debt_cents - down_payment_cents
    if financed < installments:
        raise AgreementOptionError(
            f"El monto financiado de {fmt_usd(financed)} no alcanza para {installments} cuotas de al menos "
            f"un centavo; use menos cuotas (máximo {financed}) o el pago de contado."
        )


# ------------------------------------------------------------------------------------ schedule
@dataclass(frozen=True, slots=True)
class ScheduleLine:
    number: int
    due_date: date
    installment_cents: int
    interest_cents: int
    principal_cents: int
    balance_cents: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "due_date": self.due_date.isoformat(),
            "installment": fmt_cents(self.installment_cents),
            "interest": fmt_cents(self.interest_cents),
            "principal": fmt_cents(self.principal_cents),
            "balance": fmt_cents(self.balance_cents),
        }


@dataclass(frozen=True)
class Simulation:
    debt_cents: int
    down_payment_cents: int
    financed_cents: int
    installments: int
    monthly_rate: Decimal
    installment_cents: int
    total_interest_cents: int
    total_cents: int
    start: date
    policy_version: str
    schedule: list[ScheduleLine]

    def to_json_dict(self, employer_number: str, as_of: date) -> dict[str, Any]:
        """Exactly the SPEC §6 simulation JSON (key order included)."""
        return {
            "employer_number": employer_number,
            "as_of": as_of.isoformat(),
            "debt": fmt_cents(self.debt_cents),
            "down_payment": fmt_cents(self.down_payment_cents),
            "financed": fmt_cents(self.financed_cents),
            "installments": self.installments,
            "monthly_rate": format(self.monthly_rate, "f"),
            "installment": fmt_cents(self.installment_cents),
            "total_interest": fmt_cents(self.total_interest_cents),
            "total": fmt_cents(self.total_cents),
            "schedule": [line.to_json_dict() for line in self.schedule],
        }

    def explain(self) -> str:
        rate_txt = fmt_rate_percent(self.monthly_rate)
        return (
            f"Convenio de {self.installments} cuotas (política {self.policy_version}): deuda {fmt_usd(self.debt_cents)}, "
            f"prima {fmt_usd(self.down_payment_cents)}, financiado {fmt_usd(self.financed_cents)} al {rate_txt} mensual "
            f"(amortización francesa: cuota = F·r / (1 − (1 + r)^−n), redondeada al centavo); cuota "
            f"{fmt_usd(self.installment_cents)}, la última ajusta el saldo; intereses {fmt_usd(self.total_interest_cents)}; "
            f"total a pagar {fmt_usd(self.total_cents)}. Primera cuota el {self.start.strftime('%d/%m/%Y')}."
        )


def _level_installment(financed_cents: int, rate: Decimal, n: int) -> int:
    if rate == 0:
        return round_half_up_ratio(financed_cents, n)
    r = Fraction(rate)
    growth = (1 + r) ** n
    return round_half_up(financed_cents * r * growth / (growth - 1))


def build_schedule(
    *,
    debt_cents: int,
    down_payment_cents: int,
    installments: int,
    start: date,
    policy: Policy,
    worker_share_cents: int | None = None,
) -> Simulation:
    """French amortization schedule (SPEC §6); refuses options the policy does not allow
    (``worker_share_cents`` as in :func:`validate_option`)."""
    validate_option(
        debt_cents, down_payment_cents, installments, policy, worker_share_cents=worker_share_cents
    )
    n = installments
    rate = monthly_rate(n, policy)
    r = Fraction(rate)
    financed = debt_cents - down_payment_cents
    level = _level_installment(financed, rate, n)
    balance = financed
    lines: list[ScheduleLine] = []
    total_interest = 0
    for i in range(1, n + 1):
        interest = round_half_up(balance * r)
        if i == n:
            principal = balance
        else:
            principal = min(max(level - interest, 0), balance)
        amount = principal + interest
        balance -= principal
        total_interest += interest
        lines.append(ScheduleLine(i, add_months(start, i - 1), amount, interest, principal, balance))
    return Simulation(
        debt_cents=debt_cents,
        down_payment_cents=down_payment_cents,
        financed_cents=financed,
        installments=n,
        monthly_rate=rate,
        installment_cents=level,
        total_interest_cents=total_interest,
        total_cents=down_payment_cents + sum(line.installment_cents for line in lines),
        start=start,
        policy_version=policy.version,
        schedule=lines,
    )


@dataclass(frozen=True, slots=True)
class AgreementOption:
    """One row of the options table. ``installments == 0`` is paying in full (de contado)."""

    installments: int
    down_payment_cents: int
    installment_cents: int
    monthly_rate: Decimal
    total_interest_cents: int
    total_cents: int

    @property
    def pay_in_full(self) -> bool:
        return self.installments == 0

    @property
    def label(self) -> str:
        return "Pago de contado" if self.pay_in_full else f"{self.installments} cuotas"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "installments": self.installments,
            "down_payment": fmt_cents(self.down_payment_cents),
            "installment": fmt_cents(self.installment_cents),
            "monthly_rate": format(self.monthly_rate, "f"),
            "total_interest": fmt_cents(self.total_interest_cents),
            "total": fmt_cents(self.total_cents),
        }


def options_for(
    debt_cents: int, policy: Policy, start: date, *, worker_share_cents: int | None = None
) -> list[AgreementOption]:
    """Pay in full, then each allowed term with the minimum down payment (SPEC §6)."""
    if debt_cents <= 0:
        return []
    options = [AgreementOption(0, debt_cents, 0, Decimal(0), 0, debt_cents)]
    down = min_down_payment(debt_cents, policy, worker_share_cents=worker_share_cents)
    for n in allowed_terms(debt_cents, policy):
        try:
            sim = build_schedule(
                debt_cents=debt_cents,
                down_payment_cents=down,
                installments=n,
                start=start,
                policy=policy,
                worker_share_cents=worker_share_cents,
            )
        except AgreementOptionError:
            continue
        options.append(
            AgreementOption(
                n, down, sim.installment_cents, sim.monthly_rate, sim.total_interest_cents, sim.total_cents
            )
        )
    return options


# ------------------------------------------------------------------------------------ follow-up
@dataclass(frozen=True, slots=True)
class InstallmentState:
    """An installment and what has been paid on it; ``paid_off_on`` is when it became fully paid."""

    number: int
    due_date: date
    amount_cents: int
    paid_cents: int = 0
    paid_off_on: date | None = None

    @property
    def outstanding_cents(self) -> int:
        return self.amount_cents - self.paid_cents


def apply_installment_payments(
    installments: Sequence[ScheduleLine | InstallmentState],
    payments: Iterable[tuple[date, int]],
    as_of: date,
) -> tuple[list[InstallmentState], int]:
    """Apply the payments referencing an agreement (``(paid_on, cents)``, those up to ``as_of``) to
    its installments oldest first. Returns the installment states and the cents left over."""
    states = [
        InstallmentState(i.number, i.due_date, i.installment_cents)
        if isinstance(i, ScheduleLine)
        else InstallmentState(i.number, i.due_date, i.amount_cents)
        for i in sorted(installments, key=lambda x: x.number)
    ]
    left_over = 0
    k = 0
    for paid_on, cents in sorted(payments):
        if paid_on > as_of:
            continue
        if cents < 0:
            raise ValueError("un pago no puede ser negativo")
        remaining = cents
        while remaining > 0 and k < len(states):
            st = states[k]
            x = min(st.outstanding_cents, remaining)
            remaining -= x
            paid = st.paid_cents + x
            states[k] = replace(st, paid_cents=paid, paid_off_on=paid_on if paid == st.amount_cents else None)
            if paid == st.amount_cents:
                k += 1
        left_over += remaining
    return states, left_over


def installment_status(inst: InstallmentState, as_of: date, policy: Policy) -> InstallmentStatus:
    """``paid`` (fully paid by ``as_of``), ``overdue`` (not fully paid and ``as_of`` is after the due
    date plus the policy's grace days) or ``pending``."""
    if inst.outstanding_cents <= 0 and (inst.paid_off_on is None or inst.paid_off_on <= as_of):
        return "paid"
    if as_of > inst.due_date + timedelta(days=policy.agreement_grace_days):
        return "overdue"
    return "pending"


def overdue_installments(
    installments: Iterable[InstallmentState], as_of: date, policy: Policy
) -> list[InstallmentState]:
    return [i for i in installments if installment_status(i, as_of, policy) == "overdue"]


def days_overdue(inst: InstallmentState, as_of: date) -> int:
    """Days since the due date for an installment still unpaid at ``as_of`` (0 otherwise)."""
    if inst.outstanding_cents <= 0 and (inst.paid_off_on is None or inst.paid_off_on <= as_of):
        return 0
    return max((as_of - inst.due_date).days, 0)


def is_lapsed(installments: Iterable[InstallmentState], as_of: date, policy: Policy) -> bool:
    """SPEC §6: the agreement lapses when the number of overdue installments (unpaid after their due
    date plus grace days) reaches ``policy.agreement_lapse_installments``."""
    return len(overdue_installments(installments, as_of, policy)) >= policy.agreement_lapse_installments


def lapse_date(installments: Sequence[InstallmentState], policy: Policy) -> date | None:
    """The first day on which the agreement counted as lapsed, given when each installment was paid
    off (``None`` if, with the payments recorded, it never did)."""
    grace = timedelta(days=policy.agreement_grace_days)
    candidates = sorted({i.due_date + grace + timedelta(days=1) for i in installments})
    for t in candidates:
        overdue = 0
        for i in installments:
            if t > i.due_date + grace and (i.paid_off_on is None or i.paid_off_on > t):
                overdue += 1
        if overdue >= policy.agreement_lapse_installments:
            return t
    return None
