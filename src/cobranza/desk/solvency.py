"""Whether an employer is solvent (SPEC §4 "solvency certificate"), from its live statement.

- **solvente**: nothing overdue (no period past its due date with something outstanding, no
  agreement interest overdue).
- **solvente con convenio**: every overdue period is covered by a payment agreement that is up to
  date — none of its items (down payment, installments with their interest) whose due date has
  passed is still unpaid.
- otherwise **not solvent**: refused, with the reason and every overdue period listed. A period in
  claim is still overdue here (its amount is disputed, not settled): it is listed with its claim.
- a closed employer is refused whatever its balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cobranza.common.templatetags.cobranza import format_money, periodo
from cobranza.employers.models import Employer, EmployerStatus
from cobranza.engine.statement import Statement

SOLVENT = "solvente"
SOLVENT_WITH_AGREEMENT = "solvente con convenio"


@dataclass(frozen=True)
class OverduePeriod:
    period: str
    due_date: date
    months_late: int
    outstanding_cents: int
    agreement: str | None
    agreement_up_to_date: bool
    claims: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return periodo(self.period)

    @property
    def note(self) -> str:
        notes = []
        if self.agreement:
            notes.append(
                f"convenio {self.agreement} al día"
                if self.agreement_up_to_date
                else f"convenio {self.agreement} con cuotas vencidas"
            )
        if self.claims:
            notes.append(f"en reclamo {', '.join(self.claims)}")
        return "; ".join(notes)


@dataclass(frozen=True)
class Solvency:
    as_of: date
    standing: str  # SOLVENT, SOLVENT_WITH_AGREEMENT or "" (not solvent)
    reason: str
    overdue: list[OverduePeriod] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)

    @property
    def solvent(self) -> bool:
        return bool(self.standing)

    @property
    def blocking(self) -> list[OverduePeriod]:
        return [p for p in self.overdue if not (p.agreement and p.agreement_up_to_date)]


def agreements_up_to_date(statement: Statement) -> dict[str, bool]:
    """`{agreement number: up to date}` at the statement's date: no item due before it unpaid."""
    return {
        a.number: all(item.outstanding_cents == 0 for item in a.items if item.due_date < statement.as_of)
        for a in statement.agreements
    }


def closed_refusal(employer: Employer, as_of: date) -> Solvency | None:
    if employer.status == EmployerStatus.CLOSED:
        return Solvency(
            as_of=as_of,
            standing="",
            reason=(
                f"El patrono {employer.employer_number} figura como cerrado: no se emiten constancias de "
                "solvencia para patronos cerrados."
            ),
        )
    return None


def solvency_of(
    employer: Employer, statement: Statement, *, claims: dict[str, list[str]] | None = None
) -> Solvency:
    """The employer's standing at `statement.as_of` (see the module's docstring)."""
    refused = closed_refusal(employer, statement.as_of)
    if refused is not None:
        return refused
    claims = claims or {}
    up_to_date = agreements_up_to_date(statement)
    overdue = [
        OverduePeriod(
            period=ln.period,
            due_date=ln.due_date,
            months_late=ln.months_late,
            outstanding_cents=ln.overdue_cents,
            agreement=ln.agreement,
            agreement_up_to_date=bool(ln.agreement and up_to_date.get(ln.agreement, False)),
            claims=tuple(claims.get(ln.period, ())),
        )
        for ln in statement.periods
        if ln.overdue
    ]
    # An agreement holding periods at this date whose due items are unpaid (even when the frozen
    # periods themselves show nothing overdue).
    holding = {ln.agreement for ln in statement.periods if ln.agreement}
    behind_agreements = sorted(n for n, ok in up_to_date.items() if not ok and n in holding)
    blocking = [p for p in overdue if not (p.agreement and p.agreement_up_to_date)]
    covering = sorted({p.agreement for p in overdue if p.agreement})
    if not blocking and not behind_agreements:
        if not overdue:
            return Solvency(
                as_of=statement.as_of, standing=SOLVENT, reason="Sin períodos vencidos pendientes de pago."
            )
        return Solvency(
            as_of=statement.as_of,
            standing=SOLVENT_WITH_AGREEMENT,
            reason=f"Sus períodos vencidos están en el convenio de pago {', '.join(covering)}, al día.",
            overdue=overdue,
            agreements=covering,
        )
    total = sum(p.outstanding_cents for p in blocking)
    parts = []
    if blocking:
        parts.append(
            f"tiene {len(blocking)} período{'s' if len(blocking) != 1 else ''} vencido{'s' if len(blocking) != 1 else ''} "
            f"sin pagar ({', '.join(p.label for p in blocking)}) por {format_money(total, cents=True)}"
        )
    if behind_agreements:
        parts.append(f"el convenio {', '.join(behind_agreements)} tiene cuotas vencidas sin pagar")
    return Solvency(
        as_of=statement.as_of,
        standing="",
        reason=f"No se puede emitir la constancia al {statement.as_of:%d/%m/%Y}: el patrono "
        + " y ".join(parts)
        + ".",
        overdue=overdue,
        agreements=covering,
    )
