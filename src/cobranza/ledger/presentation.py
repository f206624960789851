"""What statement screens and documents show besides the engine's own figures: aging buckets, labels;
and the Spanish labels of policy parameters and amnesties (`cobranza policy list`, the admin)."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cobranza.engine.money import to_cents
from cobranza.engine.policy import _LABELS as _PARAMETER_LABELS  # the engine's Spanish names
from cobranza.engine.statement import STATUS_ES, Statement
from cobranza.ledger.models import DeclarationOrigin, DeclarationVersion

# Aging of the outstanding debt by months late (the engine's "per month or fraction").
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("No vencido", 0, 0),
    ("1 a 3 meses", 1, 3),
    ("4 a 6 meses", 4, 6),
    ("7 a 12 meses", 7, 12),
    ("13 a 24 meses", 13, 24),
    ("Más de 24 meses", 25, None),
)

STATUS_BADGE = {"paid": "success", "partial": "warning", "unpaid": "danger", "not_due": "secondary"}


@dataclass(frozen=True)
class AgingRow:
    label: str
    periods: int
    outstanding_cents: int


def aging(statement: Statement) -> list[AgingRow]:
    rows = []
    for label, low, high in AGING_BUCKETS:
        lines = [
            ln
            for ln in statement.periods
            if ln.outstanding_cents > 0 and ln.months_late >= low and (high is None or ln.months_late <= high)
        ]
        rows.append(AgingRow(label, len(lines), sum(ln.outstanding_cents for ln in lines)))
    return rows


@dataclass(frozen=True)
class VersionLine:
    """One version of a corrected declaration, as the statement's drill-down shows it."""

    number: int
    label: str  # "primera presentación" or "corrección"
    filed_on: date | None
    recorded_on: date
    origin_label: str
    contribution_cents: int
    worker_share_cents: int
    in_force: bool  # the version the statement uses at its date
    later: bool  # filed after the statement's date: not used by it

    @property
    def first(self) -> bool:
        return self.number == 1

    @property
    def effective_on(self) -> date:
        return self.filed_on or self.recorded_on


def version_lines(versions: Sequence[DeclarationVersion], as_of: date) -> list[VersionLine]:
    """The versions of one declaration (in number order) for people: which one is in force at
    `as_of` follows the engine's rule (the last correction in filing order — effective date, then
    number — filed, or recorded, on or before `as_of`; else the first filing), and the first filing
    is marked as such."""
    used = [(v.effective_on, v.number) for v in versions if v.number > 1 and v.effective_on <= as_of]
    in_force = max(used)[1] if used else 1
    return [
        VersionLine(
            number=v.number,
            label="primera presentación" if v.number == 1 else "corrección",
            filed_on=v.filed_on,
            recorded_on=v.recorded_on,
            origin_label=str(DeclarationOrigin(v.origin).label),
            contribution_cents=to_cents(v.employer_contribution) + to_cents(v.worker_contribution),
            worker_share_cents=to_cents(v.worker_contribution),
            in_force=v.number == in_force,
            later=v.number > 1 and v.effective_on > as_of,
        )
        for v in versions
    ]


def status_label(status: str) -> str:
    return STATUS_ES.get(status, status).capitalize()


# ------------------------------------------------------------------------------ policy and amnesties
WAIVE_LABELS = {"surcharge": "recargo", "fine": "multa", "interest": "interés"}


def spanish_list(items: list[str]) -> str:
    """«a», «a y b», «a, b y c» («e» before a word that sounds /i/: «multa e interés»)."""
    if len(items) < 2:
        return "".join(items)
    last = items[-1]
    joiner = " e " if last.lower().startswith(("i", "hi")) and not last.lower().startswith("hie") else " y "
    return ", ".join(items[:-1]) + joiner + last


def amnesty_scope_label(*, paid_in_full: bool, agreements: bool) -> str:
    parts = []
    if paid_in_full:
        parts.append("pago total en la ventana")
    if agreements:
        parts.append("convenios firmados en la ventana")
    return spanish_list(parts) or "sin alcance"


def amnesty_waives_label(waives: Iterable[str]) -> str:
    chosen = set(waives)
    return spanish_list([label for code, label in WAIVE_LABELS.items() if code in chosen])


def parameter_label(name: str) -> str:
    """The Spanish name of a policy parameter, with its key: «tasa de multa (fine_rate)»."""
    label = _PARAMETER_LABELS.get(name)
    return f"{label} ({name})" if label else name


def parameter_value(value: object) -> str:
    """A stored parameter as people read it: text without quotes, lists and null as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class AgreementRow:
    """An agreement's own line on the statement ("Interés de convenio CP-…")."""

    label: str
    number: str
    interest_cents: int
    interest_paid_cents: int
    interest_outstanding_cents: int
    explanation: str


def agreement_rows(statement: Statement) -> list[AgreementRow]:
    """The statement's agreement lines for people: interest charged, paid and outstanding, and the
    explanation (SPEC §6: the agreement's interest is the institute's income, a line of its own)."""
    from cobranza.engine.statement.explain import explain_agreement

    return [
        AgreementRow(
            label=f"Interés de convenio {a.number}",
            number=a.number,
            interest_cents=a.interest_cents,
            interest_paid_cents=a.interest_paid_cents,
            interest_outstanding_cents=a.interest_outstanding_cents,
            explanation=explain_agreement(statement, a.number),
        )
        for a in statement.agreements
    ]


@dataclass(frozen=True)
class PrescriptionSplit:
    """The statement's overdue debt split into what may be collected and what is prescribed (SPEC
    §8: prescribed periods leave the collectible debt, shown apart, never deleted)."""

    collectible_cents: int
    prescribed_cents: int
    periods: tuple[str, ...]
    alerts: tuple[tuple[str, date], ...]  # (period, limitation date) prescribing within the alert window


def prescription_split(statement: Statement, limitation: dict[str, Any]) -> PrescriptionSplit:
    """From a statement and its `selectors.limitation_dates` (no query)."""
    gone = [
        ln
        for ln in statement.periods
        if ln.overdue and limitation.get(ln.period, None) is not None and limitation[ln.period].prescribed
    ]
    return PrescriptionSplit(
        collectible_cents=statement.totals.overdue_cents - sum(ln.overdue_cents for ln in gone),
        prescribed_cents=sum(ln.overdue_cents for ln in gone),
        periods=tuple(ln.period for ln in gone),
        alerts=tuple(
            (ln.period, limitation[ln.period].limitation_date)
            for ln in statement.periods
            if ln.overdue and ln.period in limitation and limitation[ln.period].alert
        ),
    )
