"""What an import returns or raises, and the list of problems it collects."""

from dataclasses import dataclass
from typing import Any

from cobranza.common.errors import ApplicationError

KIND_LABELS = {"employers": "Patronos", "declarations": "Planillas", "payments": "Pagos"}

# A report keeps at most this many problems (a file that wrong is the wrong file); the count is exact.
MAX_PROBLEMS = 100_000


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 fila`, `1,234 filas`, `3 errores` (thousands with a comma, as in El Salvador)."""
    if count == 1:
        return f"1 {singular}"
    if plural_form is None:
        plural_form = singular + ("s" if singular.endswith(("a", "e", "o")) else "es")
    return f"{count:,} {plural_form}"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    filename: str
    rows: int
    created: int
    updated: int
    skipped: int
    dry_run: bool
    batch_id: int | None
    corrected: int = 0  # declarations: rows that are a new version of a stored declaration

    @property
    def summary(self) -> str:
        """`Pagos: 12 filas, 10 nuevas, 2 omitidas (ya importadas)`, `Planillas: 3 filas, 1 nueva,
        1 corrección, 1 omitida (ya importada)`; a dry run says nothing was written."""
        parts = [plural(self.rows, "fila"), plural(self.created, "nueva")]
        if self.kind == "employers":
            parts.append(plural(self.updated, "actualizada"))
            parts.append(f"{self.skipped:,} sin cambios")
        else:
            if self.kind == "declarations":
                parts.append(plural(self.corrected, "corrección", "correcciones"))
            already = "ya importada" if self.skipped == 1 else "ya importadas"
            parts.append(f"{plural(self.skipped, 'omitida')} ({already})")
        text = f"{KIND_LABELS[self.kind]}: {', '.join(parts)}"
        if self.dry_run:
            return f"Validación correcta, no se escribió nada. {text}"
        return text


class ImportRejected(ApplicationError):
    """The file has problems; nothing was written. `details` lists them all: row, column, value, reason."""

    def __init__(self, filename: str, details: list[dict[str, Any]], *, total: int | None = None) -> None:
        total = len(details) if total is None else total
        message = f"El archivo {filename} tiene {plural(total, 'error')}; no se importó nada."
        if total > len(details):
            message += f" Se muestran los primeros {plural(len(details), 'error')}."
        super().__init__(message, details=details)
        self.filename = filename
        self.total = total


class Problems:
    """Collects problems in file order; the report sorts them by row."""

    __slots__ = ("items", "total")

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.total = 0

    def add(self, row: int | None, column: str, value: object, reason: str) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            text = "" if value is None else str(value)
            if len(text) > 80:
                text = text[:77] + "…"
            self.items.append({"row": row, "column": column, "value": text, "reason": reason})

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def rejected(self, filename: str) -> ImportRejected:
        ordered = sorted(self.items, key=lambda p: p["row"] or 0)
        return ImportRejected(filename, ordered, total=self.total)
