"""The streaming load of `cobranza seed`: a synthetic portfolio of any size in constant memory.

The small path of `cobranza seed` writes the three CSV files of `synthetic.generate_portfolio` and
imports them with `run_import`, like users' files. That holds every row in memory (the import
checks a whole file before writing it): 100,000 employers × 5 years peaked at ~6 GB. This path
generates the same rows (`synthetic.generate_block`, block by block of `BLOCK_EMPLOYERS`) and
writes them straight into the tables a chunk of employers at a time (`chunk`, 10,000 by default):
PostgreSQL with COPY (psycopg 3 `cursor.copy`, the rows formatted as COPY text by the worker that
generated them), SQLite with `executemany`. Blocks are generated in parallel by `workers` processes
(forked; they never touch the database); the parent writes them in block order, each chunk in its
own transaction, with at most `workers + 1` blocks waiting in memory.

What is written is what the import of the same files writes (a test compares both): employers with
their search text and one `employer.created` audit event each, the branches and sectors met (with
their `*.created` events), declarations with their version 1, payments, one `ImportBatch` per kind
and chunk with its `import.completed` event. Rows are not validated: the generator only makes rows
the import accepts (tests/employers/test_synthetic.py checks its files through the import).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Value
from django.utils import timezone
from django.utils.text import slugify

from cobranza.common import audit
from cobranza.common.models import AuditEvent
from cobranza.employers.imports.declarations import version_values
from cobranza.employers.imports.writing import insert_rows, insert_selected
from cobranza.employers.models import Branch, Employer, ImportBatch, Sector, normalize_search
from cobranza.employers.synthetic import (
    BLOCK_EMPLOYERS,
    SyntheticSummary,
    block_size,
    blocks,
    generate_block,
    new_summary,
)

CHUNK_EMPLOYERS = 10_000
EMPLOYER_FIELDS = [
    "id",
    "employer_number",
    "nit",
    "legal_name",
    "trade_name",
    "sector_id",
    "branch_id",
    "address",
    "phone",
    "email",
    "legal_representative",
    "status",
    "registered_on",
    "search_text",
]
DECLARATION_FIELDS = [
    "employer_id",
    "period",
    "workers",
    "salary_base",
    "employer_contribution",
    "worker_contribution",
    "filed_on",
    "origin",
    "latest_version",
]
PAYMENT_FIELDS = ["payment_id", "employer_id", "paid_on", "amount", "period", "channel", "reference"]
AUDITED = ("employer_number", *Employer.AUDITED_FIELDS)
#: Stands for the chunk's import batch id in the COPY text a worker makes (the parent knows the id).
BATCH_MARK = "\x01"


@dataclass
class Chunk:
    """One chunk of employers as generated: employer rows as tuples (the parent resolves branch and
    sector ids), declarations and payments as COPY text (PostgreSQL) or tuples (SQLite)."""

    employers: list[list[Any]] = field(default_factory=list)
    declarations: list[Any] = field(default_factory=list)
    payments: list[Any] = field(default_factory=list)
    n_declarations: int = 0
    n_payments: int = 0


@dataclass
class StreamResult:
    summary: SyntheticSummary
    chunks: int = 0
    employers: int = 0
    declarations: int = 0
    payments: int = 0
    finishing: bool = False  # every chunk is in: first versions, indexes and statistics


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _generate(task: tuple[int, int, int, date, int, int, int, bool]) -> tuple[list[Chunk], SyntheticSummary]:
    """Generate one block (in a worker process or in the parent): its chunks and its summary."""
    seed, years, block, today, count, chunk_size, first_id, as_text = task
    summary = new_summary(Path("."), years=years, today=today)
    chunks: list[Chunk] = []
    current = Chunk()
    state = {"id": first_id - 1}

    def employer(row: list[Any]) -> None:
        state["id"] += 1
        current.employers.append([state["id"], *row])

    if as_text:
        decl_lines: list[str] = []
        pay_lines: list[str] = []

        def declaration(row: list[Any]) -> None:
            number, period, workers, base, er, wr, filed_on, origin = row
            decl_lines.append(
                f"{state['id']}\t{period}\t{workers}\t{base}\t{er}\t{wr}\t{filed_on or chr(92) + 'N'}\t{origin}"
                f"\t1\t{BATCH_MARK}\n"
            )

        def payment(row: list[Any]) -> None:
            payment_id, number, paid_on, amount, period, channel, reference = row
            pay_lines.append(
                f"{payment_id}\t{state['id']}\t{paid_on}\t{amount}\t{period}\t{channel}\t{reference}"
                f"\t{BATCH_MARK}\n"
            )
    else:
        decl_rows: list[tuple[Any, ...]] = []
        pay_rows: list[tuple[Any, ...]] = []

        def declaration(row: list[Any]) -> None:
            number, period, workers, base, er, wr, filed_on, origin = row
            decl_rows.append((state["id"], period, workers, base, er, wr, filed_on or None, origin, 1))

        def payment(row: list[Any]) -> None:
            payment_id, number, paid_on, amount, period, channel, reference = row
            pay_rows.append((payment_id, state["id"], paid_on, amount, period, channel, reference))

    def flush() -> None:
        nonlocal current
        if as_text:
            current.n_declarations, current.n_payments = len(decl_lines), len(pay_lines)
            current.declarations = ["".join(decl_lines)] if decl_lines else []
            current.payments = ["".join(pay_lines)] if pay_lines else []
            decl_lines.clear()
            pay_lines.clear()
        else:
            current.declarations, current.payments = decl_rows.copy(), pay_rows.copy()
            current.n_declarations, current.n_payments = len(decl_rows), len(pay_rows)
            decl_rows.clear()
            pay_rows.clear()
        chunks.append(current)
        current = Chunk()

    generate_block(
        seed=seed,
        years=years,
        today=today,
        block=block,
        count=count,
        write={"employers": employer, "declarations": declaration, "payments": payment},
        summary=summary,
        every=chunk_size,
        flush=flush,
    )
    return chunks, summary


def _merge(total: SyntheticSummary, part: SyntheticSummary) -> None:
    total.employers += part.employers
    total.declarations += part.declarations
    total.de_oficio += part.de_oficio
    total.payments += part.payments
    total.behaviours.update(part.behaviours)
    total.by_branch.update(part.by_branch)
    total.debtors.extend(part.debtors)


def _blocks_in_order(
    tasks: list[tuple[Any, ...]], workers: int
) -> Iterator[tuple[list[Chunk], SyntheticSummary]]:
    """The generated blocks in order; with workers, at most `workers + 1` blocks ahead of the writer."""
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _generate(task)
        return
    context = multiprocessing.get_context("fork")
    # The forked children never use the parent's database connection (they leave with os._exit,
    # which sends nothing on the inherited socket); outside a transaction it is closed anyway.
    if not connection.in_atomic_block:
        connection.close()
    with context.Pool(processes=workers) as pool:
        pending: deque[Any] = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.apply_async(_generate, (task,)))
            if len(pending) > workers:
                break
        while pending:
            result = pending.popleft().get()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.apply_async(_generate, (nxt,)))
            yield result


class _Refs:
    """Branches or sectors by name, created (with their audit event) the first time a name is met,
    as the employers import does."""

    def __init__(self, model: type[Branch] | type[Sector], fallback: str) -> None:
        self.model, self.fallback = model, fallback
        self.ids: dict[str, int] = dict(model.objects.values_list("name", "id"))

    def resolve(self, names: list[str], filename: str) -> dict[str, int]:
        new = [n for n in dict.fromkeys(names) if n and n not in self.ids]
        if new:
            taken = set(self.model.objects.values_list("code", flat=True))
            events = []
            for name in new:
                base = (slugify(name) or self.fallback)[:36]
                code, suffix = base, 2
                while code in taken:
                    code, suffix = f"{base}-{suffix}", suffix + 1
                taken.add(code)
                obj = self.model.objects.create(code=code, name=name)
                self.ids[name] = obj.pk
                events.append(
                    AuditEvent(
                        action=f"{self.model._meta.model_name}.created",
                        object_type=self.model._meta.label_lower,
                        object_id=str(obj.pk),
                        after={"code": obj.code, "name": obj.name},
                        reason=f"Creada al importar patronos del archivo {filename}"[:500],
                    )
                )
            audit.bulk_record(events)
        return self.ids


def _batch(kind: str, filename: str, rows: int) -> ImportBatch:
    batch = ImportBatch.objects.create(kind=kind, filename=filename, rows=rows, created=rows)
    counts = {"kind": kind, "filename": filename, "rows": rows, "created": rows, "updated": 0, "skipped": 0}
    if kind == "declarations":
        counts["corrected"] = 0
    reason = f"{filename}: {rows:,} filas, {rows:,} nuevas (siembra sintética)"
    audit.record(actor=None, action="import.completed", obj=batch, after=counts, reason=reason)
    return batch


def _copy_text_rows(table: str, columns: list[str], texts: list[str], batch_id: int) -> None:
    now = timezone.now().isoformat()
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in [*columns, "import_batch_id", "created_at", "updated_at"])
    mark = BATCH_MARK
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy,
    ):
        for text in texts:
            copy.write(text.replace(f"{mark}\n", f"{batch_id}\t{now}\t{now}\n"))


class _Writer:
    def __init__(self, *, today: date) -> None:
        self.today = today
        self.branches = _Refs(Branch, "sucursal")
        self.sectors = _Refs(Sector, "sector")
        self.number = 0
        self.postgres = connection.vendor == "postgresql"
        from cobranza.ledger.models import Declaration, Payment

        self.Declaration, self.Payment = Declaration, Payment
        col = {f.attname: f.column for f in Declaration._meta.concrete_fields}
        self.declaration_columns = [col[f] for f in DECLARATION_FIELDS]
        col = {f.attname: f.column for f in Payment._meta.concrete_fields}
        self.payment_columns = [col[f] for f in PAYMENT_FIELDS]

    def write(self, chunk: Chunk) -> None:
        self.number += 1
        n = self.number
        names = {kind: f"sintetico-{kind}-{n:05d}.csv" for kind in ("employers", "declarations", "payments")}
        with transaction.atomic():
            branch_ids = self.branches.resolve([r[6] for r in chunk.employers], names["employers"])
            sector_ids = self.sectors.resolve([r[5] for r in chunk.employers], names["employers"])
            self._employers(chunk, branch_ids, sector_ids, names["employers"])
            if chunk.n_declarations:
                batch = _batch("declarations", names["declarations"], chunk.n_declarations)
                self._rows(
                    self.Declaration, DECLARATION_FIELDS, self.declaration_columns, chunk.declarations, batch
                )
            if chunk.n_payments:
                batch = _batch("payments", names["payments"], chunk.n_payments)
                self._rows(self.Payment, PAYMENT_FIELDS, self.payment_columns, chunk.payments, batch)

    def _employers(
        self, chunk: Chunk, branch_ids: dict[str, int], sector_ids: dict[str, int], filename: str
    ) -> None:
        batch = _batch("employers", filename, len(chunk.employers))
        rows = []
        events = []
        now = timezone.now()
        for (
            pk,
            number,
            nit,
            legal,
            trade,
            sector,
            branch,
            address,
            phone,
            email,
            rep,
            status,
            reg,
        ) in chunk.employers:
            values = {
                "employer_number": number,
                "nit": nit,
                "legal_name": legal,
                "trade_name": trade,
                "sector_id": sector_ids[sector] if sector else None,
                "branch_id": branch_ids[branch],
                "address": address,
                "phone": phone,
                "email": email,
                "legal_representative": rep,
                "status": status,
                "registered_on": reg or None,
            }
            rows.append((pk, *values.values(), normalize_search(f"{legal} {trade}")))
            events.append(
                (
                    now,
                    "",
                    "employer.created",
                    "employers.employer",
                    str(pk),
                    number,
                    json.dumps({k: values[k] for k in AUDITED}, ensure_ascii=False),
                    f"Importado del archivo {filename}"[:500],
                )
            )
        insert_rows(Employer, EMPLOYER_FIELDS, rows, total=len(rows), progress=None)
        insert_rows(
            AuditEvent,
            ["at", "actor_name", "action", "object_type", "object_id", "employer_number", "after", "reason"],
            events,
            total=len(events),
            progress=None,
        )
        del batch

    def _rows(
        self, model: Any, fields: list[str], columns: list[str], data: list[Any], batch: ImportBatch
    ) -> None:
        if self.postgres:
            _copy_text_rows(model._meta.db_table, columns, data, batch.pk)
            return
        rows = (row + (batch.pk,) for row in data)
        insert_rows(model, [*fields, "import_batch_id"], rows, total=len(data), progress=None)


def stream_portfolio(
    *,
    employers: int,
    years: int,
    seed: int,
    today: date,
    chunk: int = CHUNK_EMPLOYERS,
    workers: int | None = None,
    progress: Callable[[StreamResult], None] | None = None,
    bulk_indexes: bool = True,
) -> StreamResult:
    """Generate and load a synthetic portfolio chunk by chunk (see the module's docstring)."""
    if employers < 1 or years < 1 or chunk < 1:
        raise ValueError("employers, years and chunk must be at least 1")
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    as_text = connection.vendor == "postgresql"
    first_id = (Employer.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    tasks = [
        (
            seed,
            years,
            block,
            today,
            block_size(employers, block),
            chunk,
            first_id + block * BLOCK_EMPLOYERS,
            as_text,
        )
        for block in range(blocks(employers))
    ]
    result = StreamResult(summary=new_summary(Path("."), years=years, today=today))
    writer = _Writer(today=today)
    with _without_ledger_indexes(on=as_text and bulk_indexes):
        for chunks, part in _blocks_in_order(tasks, workers):
            for piece in chunks:
                writer.write(piece)
                result.chunks += 1
                result.employers += len(piece.employers)
                result.declarations += piece.n_declarations
                result.payments += piece.n_payments
                if progress:
                    progress(result)
            _merge(result.summary, part)
        if progress:
            result.finishing = True
            progress(result)
        _first_versions(today)
    _finish()
    return result


def _first_versions(today: date) -> None:
    """Version 1 of every declaration, copied inside the database in one statement (what the
    import does per file). The streaming seed loads an empty portfolio, so every declaration is new."""
    from cobranza.ledger.models import Declaration, DeclarationVersion

    with transaction.atomic():
        insert_selected(
            DeclarationVersion,
            version_values(recorded_on=Value(today)),
            Declaration.objects.exclude(
                Exists(DeclarationVersion.objects.filter(declaration=OuterRef("pk")))
            ),
        )


LEDGER_TABLES = ("ledger_declaration", "ledger_declarationversion", "ledger_payment")


@contextmanager
def _without_ledger_indexes(*, on: bool) -> Iterator[None]:
    """PostgreSQL bulk load, as `pg_restore` does it: the foreign keys, unique constraints and
    secondary indexes of the ledger tables are dropped while the rows go in (each foreign key alone
    costs ~13 s of trigger checks per million rows) and rebuilt afterwards from their own
    definitions, read from the catalog (so indexes other migrations add are rebuilt too). They are
    rebuilt even when the load fails. Primary keys and CHECK constraints stay."""
    if not on:
        yield
        return
    with connection.cursor() as cursor:
        # Inside a transaction (tests), deferred checks still pending would forbid the ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
            [list(LEDGER_TABLES)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p', 'x')) "
            "ORDER BY 1",
            [list(LEDGER_TABLES)],
        )
        indexes = cursor.fetchall()
        for table, name, _kind, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            # unique constraints first ('u' sorts after 'f' descending), then the foreign keys
            for table, name, _kind, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")


def _finish() -> None:
    """Employer ids were given explicitly: move the sequence past them; fresh planner statistics."""
    if connection.vendor != "postgresql":
        return
    from cobranza.ledger.models import Declaration, DeclarationVersion, Payment

    with connection.cursor() as cursor:
        table = Employer._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - model metadata
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
        for model in (Employer, Declaration, DeclarationVersion, Payment, AuditEvent):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
