"""What checking a file of any kind shares: the row loop, problems named as the file names its
columns, employer numbers, and reading stored rows in chunks.

Each kind (`payments`, `declarations`, `employers`) has a validator fed the rows one by one
(`add`): it keeps the good rows as compact tuples and reports every problem. `finish()` resolves
the employer numbers of the file in a few chunked queries (never one query per row) and `plan()`,
run inside the import's transaction, compares the rows with what is stored: identical rows are
skipped, changed declarations are corrections (new versions), a payment id stored with other content is a
problem. The plan writes itself (`plan.write`).
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from django.db import connection, models

from cobranza.employers.imports.base import Problems
from cobranza.employers.imports.columns import HeaderMap
from cobranza.employers.imports.values import BadValue, cell_text, parse_date, parse_period, period_of
from cobranza.employers.models import Employer, ImportBatch

# Plain cells the fast paths accept as they are (anything else goes through `values`' full parsers).
COUNT = re.compile(r"\d{1,9}\Z", re.ASCII)
NON_NEGATIVE_AMOUNT = re.compile(r"\d{1,12}(?:\.\d{1,2})?\Z", re.ASCII)
POSITIVE_AMOUNT = re.compile(r"(?!0*(?:\.0*)?\Z)\d{1,12}(?:\.\d{1,2})?\Z", re.ASCII)


class Plan(Protocol):
    """What an import would do; `write` does it (inside the import's transaction)."""

    @property
    def created(self) -> int: ...

    @property
    def updated(self) -> int: ...

    @property
    def corrected(self) -> int: ...

    @property
    def skipped(self) -> int: ...

    def write(
        self, *, batch: ImportBatch, actor: Any, filename: str, progress: Callable[[int, int], None] | None
    ) -> None: ...


def query_chunk_size() -> int:
    """How many values one `IN (…)` may carry on this database (SQLite allows 999 parameters)."""
    limit = connection.features.max_query_params or 10_000
    return max(100, min(10_000, limit - 50))


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_rows(
    model: type[models.Model],
    fields: Sequence[str],
    *,
    key: str,
    keys: Sequence[Any],
    also: dict[str, Sequence[Any]] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """`fields` of the stored rows whose `key` is one of `keys` (and each `also` field one of its values).

    Chunked, so a million keys cost a few dozen queries. PostgreSQL gets each chunk as one array
    parameter (`= ANY(%s)`): 50,000 placeholders in an `IN (…)` cost more to build and parse than
    the lookup itself. Unordered, and not through a server-side cursor, whose fast-start plans
    were 10x slower here.
    """
    also = also or {}
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = {f.attname: f.column for f in model._meta.concrete_fields}
        conditions = " AND ".join(f"{quote(column[name])} = ANY(%s)" for name in (key, *also))
        sql = f"SELECT {', '.join(quote(column[f]) for f in fields)} FROM {quote(model._meta.db_table)} WHERE {conditions}"  # noqa: S608 - names from the model, values as parameters
        extra = [list(values) for values in also.values()]
        with connection.cursor() as cursor:
            for chunk in chunked(keys, 50_000):
                cursor.execute(sql, [list(chunk), *extra])
                yield from cursor.fetchall()
        return
    size = query_chunk_size() - sum(len(values) for values in also.values())
    filters = {f"{name}__in": list(values) for name, values in also.items()}
    for chunk in chunked(keys, max(size, 100)):
        yield from model.objects.filter(**{f"{key}__in": chunk}, **filters).order_by().values_list(*fields)


def employer_ids(numbers: Iterable[str]) -> dict[str, int]:
    """The ids of the given employer numbers that exist."""
    return dict(stored_rows(Employer, ("employer_number", "id"), key="employer_number", keys=sorted(numbers)))


class RowValidator:
    """What every kind shares: field count, problems with the file's own column names."""

    kind = ""

    def __init__(self, *, header: HeaderMap, decimal_comma: bool, today: date, problems: Problems) -> None:
        self.header = header
        self.decimal_comma = decimal_comma
        self.today = today
        self.last_period = period_of(today)
        self.problems = problems
        self.rows = 0

    def add(self, row: int, values: Sequence[Any]) -> None:
        self.rows += 1
        if len(values) != self.header.width:
            count = len(values)
            reason = (
                f"la fila tiene {count} campos y el encabezado {self.header.width}"
                f" ({'sobran' if count > self.header.width else 'faltan'} campos)"
            )
            self.problems.add(row, "", f"{count} campos", reason)
            return
        for position in self.header.unnamed:
            if cell_text(values[position]):
                self.problems.add(
                    row,
                    f"columna {position + 1}",
                    cell_text(values[position]),
                    "valor en una columna sin nombre",
                )
        if not self.fast_row(row, values):
            self.check_row(row, values)

    def fast_row(self, row: int, values: Sequence[Any]) -> bool:
        """Accept a row whose cells were all seen valid before (caches) or are plain; False: check fully."""
        return False

    def check_row(self, row: int, values: Sequence[Any]) -> None:
        """Check every cell of the row, report each problem, and keep the row when it has none."""
        raise NotImplementedError

    def plan(self) -> Plan:
        """Compare the good rows with the database (inside the import's transaction)."""
        raise NotImplementedError

    def finish(self) -> None:
        if self.rows == 0:
            self.problems.add(None, "", "", "el archivo no tiene filas de datos, solo el encabezado")

    def bad(self, row: int, name: str, value: Any, reason: str) -> None:
        self.problems.add(row, self.header.label[name], cell_text(value), reason)

    def text(
        self, row: int, values: Sequence[Any], name: str, limit: int, *, required: bool = False
    ) -> str | None:
        """A text cell (None when wrong); an absent optional column reads as ''."""
        position = self.header.index.get(name)
        if position is None:
            return ""
        raw = values[position]
        value = raw.strip() if type(raw) is str else cell_text(raw)
        if required and not value:
            self.bad(row, name, raw, "falta el valor")
            return None
        if len(value) > limit:
            self.bad(row, name, raw, f"texto demasiado largo (máximo {limit} caracteres)")
            return None
        return value


class EmployerRefs(RowValidator):
    """Declarations and payments name an employer by number; the number must be registered."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.numbers: dict[str, str] = {}  # interned employer numbers of the file
        self.failed_rows: list[tuple[int, str]] = []  # rows refused for another reason, still checked
        self.ids: dict[str, int] = {}
        self.i_number = self.header.index["employer_number"]
        # Cells already read without a problem, by their raw value: the fast path of `fast_row`.
        self.number_cache: dict[Any, str] = {}
        self.date_cache: dict[Any, date] = {}
        self.period_cache: dict[Any, str] = {}

    def number(self, row: int, values: Sequence[Any]) -> str | None:
        raw = values[self.i_number]
        value = raw.strip() if type(raw) is str else cell_text(raw)
        if not value:
            self.bad(row, "employer_number", raw, "falta el valor")
            return None
        value = self.numbers.setdefault(value, value)
        if type(raw) is str:  # (1, 1.0 and True are equal keys: only text is cached)
            self.number_cache[raw] = value
        return value

    def past_date(self, row: int, values: Sequence[Any], name: str) -> date | None:
        """A date not after today (None, reported, when wrong)."""
        raw = values[self.header.index[name]]
        try:
            day = parse_date(raw)
        except BadValue as exc:
            self.bad(row, name, raw, exc.reason)
            return None
        if day > self.today:
            self.bad(row, name, raw, f"fecha futura (hoy es {self.today:%d/%m/%Y})")
            return None
        if type(raw) is str:
            self.date_cache[raw] = day
        return day

    def period(self, row: int, values: Sequence[Any], name: str) -> str | None:
        raw = values[self.header.index[name]]
        try:
            period = parse_period(raw, last_period=self.last_period)
        except BadValue as exc:
            self.bad(row, name, raw, exc.reason)
            return None
        if type(raw) is str:
            self.period_cache[raw] = period
        return period

    def good_rows(self) -> Iterable[tuple[int, str]]:
        raise NotImplementedError

    def finish(self) -> None:
        super().finish()
        self.ids = employer_ids(self.numbers)
        if len(self.ids) == len(self.numbers):
            return
        for row, number in [*self.good_rows(), *self.failed_rows]:
            if number not in self.ids:
                self.bad(row, "employer_number", number, "patrono no registrado")
