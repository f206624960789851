"""What statement screens and documents show besides the engine's own figures: aging buckets, labels."""

from dataclasses import dataclass

from cobranza.engine.statement import STATUS_ES, Statement

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


def status_label(status: str) -> str:
    return STATUS_ES.get(status, status).capitalize()
