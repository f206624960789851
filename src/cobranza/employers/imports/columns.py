"""The columns of each kind of file (SPEC §3) and how a header row is matched to them."""

import re
from dataclasses import dataclass

from cobranza.employers.imports.base import Problems
from cobranza.employers.models import normalize_search


@dataclass(frozen=True)
class Column:
    name: str
    alias: str = ""
    required: bool = False


COLUMNS: dict[str, tuple[Column, ...]] = {
    "employers": (
        Column("employer_number", "numero_patronal", True),
        Column("nit", "nit"),
        Column("legal_name", "razon_social", True),
        Column("trade_name", "nombre_comercial"),
        Column("sector", "sector"),
        Column("branch", "sucursal", True),
        Column("address", "direccion"),
        Column("phone", "telefono"),
        Column("email", "correo"),
        Column("legal_representative", "representante_legal"),
        Column("status", "estado", True),
        Column("registered_on", "fecha_inscripcion"),
    ),
    "declarations": (
        Column("employer_number", "numero_patronal", True),
        Column("period", "periodo", True),
        Column("workers", "trabajadores", True),
        Column("salary_base", "salario_afecto", True),
        Column("employer_contribution", "cotizacion_patronal", True),
        Column("worker_contribution", "cotizacion_laboral", True),
        Column("filed_on", "fecha_presentacion", True),
        Column("origin", "origen", True),
    ),
    "payments": (
        Column("payment_id", "id_pago", True),
        Column("employer_number", "numero_patronal", True),
        Column("paid_on", "fecha_pago", True),
        Column("amount", "monto", True),
        Column("period", "periodo"),
        Column("channel", "canal"),
        Column("reference", "referencia"),
    ),
}

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """`Número Patronal`, `numero_patronal` and ` NUMERO-PATRONAL ` are the same column."""
    return _NOT_ALNUM.sub("", normalize_search(text))


@dataclass
class HeaderMap:
    """Where each known column is in the file, and the name the file gives it (for the report)."""

    index: dict[str, int]
    label: dict[str, str]
    width: int
    unnamed: tuple[int, ...] = ()  # columns with an empty header: tolerated while their cells are empty

    def has(self, name: str) -> bool:
        return name in self.index


def map_header(kind: str, header: list[str], problems: Problems) -> HeaderMap | None:
    """Match the header row; returns None when rows cannot be read (a required column is missing
    or a column appears twice). Unknown extra columns are reported and the rows still checked; a
    column without a name (a trailing separator) is only a problem in the rows that fill it."""
    by_key: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        by_key[header_key(column.name)] = column
        if column.alias:
            by_key[header_key(column.alias)] = column
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    unnamed: list[int] = []
    fatal = False
    for position, text in enumerate(header):
        found = by_key.get(header_key(text))
        if found is None:
            if text:
                problems.add(1, text, text, "columna desconocida")
            else:
                unnamed.append(position)  # e.g. a trailing separator on every line
            continue
        if found.name in index:
            problems.add(1, text, text, f"columna repetida (ya está en la columna {index[found.name] + 1})")
            fatal = True
            continue
        index[found.name] = position
        label[found.name] = text
    for column in COLUMNS[kind]:
        if column.required and column.name not in index:
            alias = f" ({column.alias})" if column.alias and column.alias != column.name else ""
            problems.add(1, column.name, "", f"falta la columna obligatoria {column.name}{alias}")
            fatal = True
    for column in COLUMNS[kind]:
        label.setdefault(column.name, column.name)
    if fatal:
        return None
    return HeaderMap(index=index, label=label, width=len(header), unnamed=tuple(unnamed))
