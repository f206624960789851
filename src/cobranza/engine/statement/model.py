"""What the statement engine takes and gives: declarations (with their corrections), payments,
allocations, period lines, totals and the statement itself (SPEC §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from cobranza.engine.calendar import parse_period
from cobranza.engine.money import fmt_cents, fmt_usd

if TYPE_CHECKING:
    from cobranza.engine.policy import Policy
    from cobranza.engine.timeline import PolicyTimeline

__all__ = [
    "COMPONENT_ES",
    "CREDIT_PAYMENT_ID",
    "ORIGINS",
    "STATUSES",
    "STATUS_ES",
    "AgreementIn",
    "AgreementLine",
    "Allocation",
    "Correction",
    "DeclarationIn",
    "EmployerSummary",
    "InstallmentIn",
    "InstallmentLine",
    "PaymentIn",
    "PeriodLine",
    "Piece",
    "Statement",
    "StatementTotals",
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
    "agreement_interest": "interés de convenio",
}
#: ``payment_id`` of the allocations made by carrying the credit forward (SPEC §5): "saldo a favor
#: aplicado el dd/mm/aaaa"; never a real payment's id (those come from the institute's systems).
CREDIT_PAYMENT_ID = "saldo a favor"


def _check_cents(what: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: debe ser un entero de centavos")
    if value < 0:
        raise ValueError(f"{what}: no puede ser negativa ({value})")


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class Correction:
    """A later version of a declaration (SPEC §3): its amounts replace the earlier ones from
    ``filed_on`` on (statements of earlier dates keep the earlier amounts)."""

    filed_on: date
    contribution_cents: int
    worker_cents: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.filed_on, date):
            raise TypeError(f"corrección: fecha inválida {self.filed_on!r}")
        _check_cents("corrección: la cotización", self.contribution_cents)
        _check_cents("corrección: la cotización laboral", self.worker_cents)
        if self.worker_cents > self.contribution_cents:
            raise ValueError("corrección: la cotización laboral no puede exceder la cotización total")


@dataclass(frozen=True, slots=True)
class DeclarationIn:
    """A declared period: its **first** filing (``contribution_cents`` = employer + worker
    contribution, ``worker_cents`` the worker share inside it, ``filed_on``, ``origin``) and its later
    ``corrections`` (kept sorted by filing date).

    ``filed_on`` empty or ``origin == "de_oficio"`` means a payroll prepared by the institute.
    """

    period: str
    contribution_cents: int
    filed_on: date | None = None
    origin: str = "employer"
    worker_cents: int = 0
    corrections: tuple[Correction, ...] = ()

    def __post_init__(self) -> None:
        parse_period(self.period)
        if isinstance(self.contribution_cents, bool) or not isinstance(self.contribution_cents, int):
            raise TypeError(f"{self.period}: la cotización debe ser un entero de centavos")
        if self.contribution_cents < 0:
            raise ValueError(
                f"{self.period}: la cotización no puede ser negativa ({self.contribution_cents})"
            )
        _check_cents(f"{self.period}: la cotización laboral", self.worker_cents)
        if self.worker_cents > self.contribution_cents:
            raise ValueError(f"{self.period}: la cotización laboral no puede exceder la cotización total")
        if self.origin not in ORIGINS:
            raise ValueError(f"{self.period}: origen desconocido {self.origin!r} (employer|de_oficio)")
        if self.filed_on is not None and not isinstance(self.filed_on, date):
            raise TypeError(f"{self.period}: fecha de presentación inválida {self.filed_on!r}")
        # in filing order (stable: corrections filed the same day keep their given order), as the batch
        ordered = tuple(sorted(self.corrections, key=lambda c: c.filed_on))
        if ordered != self.corrections:
            object.__setattr__(self, "corrections", ordered)


@dataclass(frozen=True, slots=True)
class InstallmentIn:
    """One installment of an agreement's schedule: its principal and its interest (a charge of the
    agreement, due on ``due_date``)."""

    number: int
    due_date: date
    principal_cents: int
    interest_cents: int

    def __post_init__(self) -> None:
        _check_cents(f"cuota {self.number}: el capital", self.principal_cents)
        _check_cents(f"cuota {self.number}: el interés", self.interest_cents)


@dataclass(frozen=True, slots=True)
class AgreementIn:
    """A payment agreement as the statement needs it (SPEC §6).

    It counts at a date ``A`` when its down payment was received by then (``signed_on <= A``) and
    it had not lapsed by then (``lapsed_on`` is None or after ``A``); a lapsed agreement is computed
    as if it had never existed. While it counts: its ``periods`` are frozen at ``drafted_on`` (their
    debt fixed at the draft's date), ``waives`` lists components an amnesty waived through it, the
    payments that belong to it (dated after the draft and whose reference names ``number`` or whose
    period is a covered one; and the payment matched as its down payment, whose excess over the down
    payment is an ordinary payment unless it also names the agreement) pay the down payment and then the installments oldest first — each
    one's interest, then its principal, to the covered periods oldest first —, and the ordinary
    payments made after the draft leave the covered periods alone.

    A restructured agreement (``ended_on``) keeps its line (its installments due by then) and holds
    its periods until the agreement that restructures it is signed: the latest drafted agreement that
    counts holds a period.
    """

    number: str
    drafted_on: date
    signed_on: date | None
    periods: tuple[str, ...]
    down_payment_cents: int
    installments: tuple[InstallmentIn, ...]
    lapsed_on: date | None = None
    waives: frozenset[str] = frozenset()
    down_payment_id: str | None = None  # the payment matched as its down payment (any reference)
    ended_on: date | None = None  # restructured that day: its later installments are dropped

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or not self.number:
            raise ValueError("convenio sin número")
        for period in self.periods:
            parse_period(period)
        _check_cents(f"convenio {self.number}: la prima", self.down_payment_cents)
        if not isinstance(self.periods, tuple):
            object.__setattr__(self, "periods", tuple(self.periods))
        if not isinstance(self.installments, tuple):
            object.__setattr__(self, "installments", tuple(self.installments))

    def counts_at(self, as_of: date) -> bool:
        return (
            self.signed_on is not None
            and self.signed_on <= as_of
            and (self.lapsed_on is None or self.lapsed_on > as_of)
        )


@dataclass(frozen=True, slots=True)
class PaymentIn:
    """A payment. ``period`` (optional; ``""`` is treated as none) is the period it was made for;
    ``reference`` the free text the payer wrote (it may name an agreement, e.g. ``CP-000004``)."""

    payment_id: str
    paid_on: date
    amount_cents: int
    period: str | None = None
    reference: str = ""

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

    ``component`` is one of contribution, surcharge, fine, interest, ``agreement_interest`` (the
    interest of agreement ``agreement``; ``period`` is ``None``) or ``credit`` (then ``period`` is
    ``None``): the allocations of a payment always add up to its amount. Credit carried forward
    and applied on a due date appears with ``payment_id == CREDIT_PAYMENT_ID`` and that date as
    ``paid_on`` (the credit it used is not counted again: a real payment's ``credit`` allocation is
    what it left over, whatever later became of it).
    """

    payment_id: str
    paid_on: date
    period: str | None
    component: str
    cents: int
    agreement: str | None = None

    @property
    def from_credit(self) -> bool:
        return self.payment_id == CREDIT_PAYMENT_ID


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of contribution paid at ``paid_on`` and the delay it was charged with."""

    payment_id: str
    paid_on: date
    cents: int
    months_late: int  # at min(paid_on, freeze), before any cap
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
    worker_share_cents: int = 0
    worker_share_outstanding_cents: int = 0
    # detail for explanations and screens
    filed_on: date | None = None
    origin: str = "employer"
    fine_applies: bool = False
    fine_base_cents: int = 0
    frozen_on: date | None = None
    waived: frozenset[str] = frozenset()
    waived_by: tuple[str, ...] = ()
    days_late: int = 0
    pieces: tuple[Piece, ...] = ()
    versions: tuple[Correction, ...] = ()  # the corrections in force at the statement's date
    first_contribution_cents: int = 0  # the first filing's contribution
    agreement: str | None = None  # number of the agreement covering the period at the statement's date
    policy_version: str = ""  # the version deciding the due date and the fine

    @property
    def overdue(self) -> bool:
        """Something is outstanding and the due date has passed (status unpaid or partial)."""
        return self.status in ("unpaid", "partial")

    @property
    def overdue_cents(self) -> int:
        """Outstanding that is exigible (due date passed), SPEC §5 "overdue vs current"."""
        return self.outstanding_cents if self.overdue else 0

    @property
    def current_cents(self) -> int:
        """Outstanding not yet due."""
        return 0 if self.overdue else self.outstanding_cents

    @property
    def amnesty_waived(self) -> bool:
        return bool(self.waived)

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
            "worker_share": fmt_cents(self.worker_share_cents),
            "worker_share_outstanding": fmt_cents(self.worker_share_outstanding_cents),
        }


@dataclass(frozen=True, slots=True)
class InstallmentLine:
    """What the payments did to one item of an agreement (number 0 is the down payment)."""

    number: int
    due_date: date
    principal_cents: int
    principal_paid_cents: int
    interest_cents: int
    interest_paid_cents: int
    paid_off_on: date | None = None  # when principal and interest were fully paid

    @property
    def outstanding_cents(self) -> int:
        return (
            self.principal_cents - self.principal_paid_cents + self.interest_cents - self.interest_paid_cents
        )


@dataclass(frozen=True, slots=True)
class AgreementLine:
    """An agreement's own line on the statement: its interest ("interés de convenio CP-…"), due on
    each installment's due date, with paid and outstanding, and the state of its items."""

    number: str
    drafted_on: date
    periods: tuple[str, ...]
    interest_cents: int  # interest charged by the statement's date (due, or paid in advance)
    interest_paid_cents: int
    interest_outstanding_cents: int
    principal_cents: int
    principal_paid_cents: int
    items: tuple[InstallmentLine, ...]

    @property
    def balance_cents(self) -> int:
        """Principal still unpaid plus interest due and unpaid: what the covered periods and this
        line show together on the statement."""
        return self.principal_cents - self.principal_paid_cents + self.interest_outstanding_cents

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "interest": fmt_cents(self.interest_cents),
            "interest_paid": fmt_cents(self.interest_paid_cents),
            "interest_outstanding": fmt_cents(self.interest_outstanding_cents),
        }


@dataclass(frozen=True, slots=True)
class StatementTotals:
    contribution_outstanding_cents: int
    surcharge_outstanding_cents: int
    fine_outstanding_cents: int
    interest_outstanding_cents: int
    outstanding_cents: int
    credit_cents: int
    worker_share_outstanding_cents: int = 0
    overdue_cents: int = 0
    current_cents: int = 0
    agreement_interest_outstanding_cents: int = 0

    def to_json_dict(self) -> dict[str, str]:
        return {
            "contribution_outstanding": fmt_cents(self.contribution_outstanding_cents),
            "surcharge_outstanding": fmt_cents(self.surcharge_outstanding_cents),
            "fine_outstanding": fmt_cents(self.fine_outstanding_cents),
            "interest_outstanding": fmt_cents(self.interest_outstanding_cents),
            "outstanding": fmt_cents(self.outstanding_cents),
            "credit": fmt_cents(self.credit_cents),
            "worker_share_outstanding": fmt_cents(self.worker_share_outstanding_cents),
            "overdue": fmt_cents(self.overdue_cents),
            "current": fmt_cents(self.current_cents),
            "agreement_interest_outstanding": fmt_cents(self.agreement_interest_outstanding_cents),
        }


@dataclass(frozen=True, slots=True)
class EmployerSummary:
    """Per-employer figures for portfolios and lists (the batch computes the same columns).

    Overdue periods are those with status unpaid or partial; ``months_in_arrears`` is the largest
    ``months_late`` among them and ``oldest_unpaid_period`` the oldest of them.
    ``overdue_outstanding_cents`` is what is exigible (due date passed) and
    ``current_outstanding_cents`` what is not yet due; they add up to ``outstanding_cents``.
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
    overdue_outstanding_cents: int = 0
    current_outstanding_cents: int = 0
    worker_share_outstanding_cents: int = 0


@dataclass(frozen=True)
class Statement:
    """A computed statement: lines per period (ascending), totals, credit, and every allocation of
    every payment (the audit trail behind each figure). ``explain(period)`` gives the Spanish
    explanation; ``to_json_dict()`` the SPEC §5 JSON (plus the worker share and overdue figures)."""

    employer_number: str
    as_of: date
    policy_version: str
    periods: list[PeriodLine]
    totals: StatementTotals
    credit_cents: int
    allocations: list[Allocation]
    last_payment_date: date | None
    policy: Policy = field(repr=False, compare=False)
    timeline: PolicyTimeline = field(repr=False, compare=False)
    agreements: list[AgreementLine] = field(default_factory=list)

    def line(self, period: str) -> PeriodLine:
        for ln in self.periods:
            if ln.period == period:
                return ln
        raise KeyError(period)

    def to_json_dict(self) -> dict[str, Any]:
        """The SPEC §5 statement JSON (key order included)."""
        return {
            "employer_number": self.employer_number,
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "periods": [ln.to_json_dict() for ln in self.periods],
            "totals": self.totals.to_json_dict(),
            "agreements": [a.to_json_dict() for a in self.agreements],
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
            overdue_outstanding_cents=t.overdue_cents,
            current_outstanding_cents=t.current_cents,
            worker_share_outstanding_cents=t.worker_share_outstanding_cents,
        )

    def allocations_for(self, period: str) -> list[Allocation]:
        return [a for a in self.allocations if a.period == period]

    def _allocations_by_period(self) -> dict[str | None, list[Allocation]]:
        by_period: dict[str | None, list[Allocation]] = {}
        for a in self.allocations:
            by_period.setdefault(a.period, []).append(a)
        return by_period

    def explain(self, period: str) -> str:
        """Spanish explanation of every figure of one period: rule, rate, policy versions and
        which payments (or credit carried forward) paid what."""
        from cobranza.engine.statement.explain import explain_line

        return explain_line(self, self.line(period), self.allocations_for(period))

    def explanations(self) -> dict[str, str]:
        """Explanation of every period (computed on demand: statements are often built only for
        their figures)."""
        from cobranza.engine.statement.explain import explain_line

        by_period = self._allocations_by_period()
        return {ln.period: explain_line(self, ln, by_period.get(ln.period, [])) for ln in self.periods}

    def explain_credit(self) -> str:
        left = [a for a in self.allocations if a.component == "credit"]
        used = [a for a in self.allocations if a.from_credit]
        if not left:
            return "Saldo a favor: $0.00."
        parts = ", ".join(f"{a.payment_id} del {a.paid_on:%d/%m/%Y}: {fmt_usd(a.cents)}" for a in left)
        text = f"Sobrantes de pagos que no tenían deuda a su fecha: {parts}."
        if used:
            dates = ", ".join(f"{d:%d/%m/%Y}" for d in sorted({a.paid_on for a in used}))
            text += (
                f" Saldo a favor aplicado a lo que fue venciendo ({fmt_usd(sum(a.cents for a in used))}, "
                f"el {dates})."
            )
        return (
            f"Saldo a favor: {fmt_usd(self.credit_cents)}. {text} Lo que queda se muestra; una devolución "
            f"se tramita como reclamo, nunca es automática."
        )
