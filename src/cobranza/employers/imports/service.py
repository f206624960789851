"""`run_import`: read a file, check every row, and write it all or nothing (SPEC §3)."""

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction

from cobranza.common import audit
from cobranza.common.dates import business_date
from cobranza.common.errors import ApplicationError
from cobranza.employers.imports.base import ImportRejected, ImportResult, Problems
from cobranza.employers.imports.columns import map_header
from cobranza.employers.imports.declarations import DeclarationValidator
from cobranza.employers.imports.employers import EmployerValidator
from cobranza.employers.imports.payments import PaymentValidator
from cobranza.employers.imports.reading import open_table, source_name
from cobranza.employers.imports.validation import RowValidator
from cobranza.employers.models import ImportBatch

VALIDATORS: dict[str, type[RowValidator]] = {
    "employers": EmployerValidator,
    "declarations": DeclarationValidator,
    "payments": PaymentValidator,
}

VALIDATION_PROGRESS_EVERY = 10_000
# One advisory lock serializes imports on PostgreSQL: two uploads of the same payments file cannot
# both see the ids as new. (SQLite serializes writers by itself.)
IMPORT_LOCK_KEY = 0x436F6272  # "Cobr"


def run_import(
    *,
    kind: str,
    source: Any,
    filename: str | None = None,
    actor: Any = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import one file of employers, declarations or payments.

    `source` is a path or a binary file-like object (an upload); `filename` names it in messages
    (defaults to the path's name). Every row is checked before anything is written; any problem
    raises `ImportRejected` listing them all (row, column, value, reason) and nothing changes.
    With `dry_run` the file is checked against the database too, the counts are what an import
    would do, and nothing is written. `progress(done_rows, total_rows)` is called while rows are
    checked and again, counting from zero, while they are written (`total_rows` is an estimate
    until the end). `today` (default: today in El Salvador) bounds payment dates and periods.

    Idempotent by natural keys: employers by number (changed columns update it, audited),
    declarations by employer and period (content equal to one of its versions is skipped; other
    content is a correction: a new version, audited),
    payments by payment id (the same row again is skipped, never counted twice).
    """
    if kind not in VALIDATORS:
        raise ApplicationError(
            f"Tipo de importación desconocido: {kind} (use employers, declarations o payments)."
        )
    filename = filename or source_name(source)
    today = today or business_date()
    problems = Problems()
    with open_table(source, filename) as table:
        header = map_header(kind, table.header, problems)
        if header is None:
            raise problems.rejected(filename)
        validator = VALIDATORS[kind](
            header=header, decimal_comma=table.decimal_comma, today=today, problems=problems
        )
        add = validator.add
        if progress is None:
            for row, values in table.rows:
                add(row, values)
        else:
            progress(0, table.total)
            for row, values in table.rows:
                add(row, values)
                if validator.rows % VALIDATION_PROGRESS_EVERY == 0:
                    progress(validator.rows, max(table.total, validator.rows))
            progress(validator.rows, validator.rows)
        for problem in table.problems:
            problems.add(problem["row"], problem["column"], problem["value"], problem["reason"])
    validator.finish()
    # One transaction for the comparison with the database and every write (the services'
    # convention); the file was read and checked before it, so parsing never holds a transaction.
    try:
        with transaction.atomic():
            if not dry_run and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            plan = validator.plan()
            if problems:
                raise problems.rejected(filename)
            result = ImportResult(
                kind=kind,
                filename=filename,
                rows=validator.rows,
                created=plan.created,
                updated=plan.updated,
                corrected=plan.corrected,
                skipped=plan.skipped,
                dry_run=dry_run,
                batch_id=None,
            )
            if dry_run:
                return result
            batch = ImportBatch.objects.create(
                kind=kind,
                filename=filename[:255],
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                rows=result.rows,
                created=result.created,
                updated=result.updated,
                corrected=result.corrected,
                skipped=result.skipped,
            )
            if progress:
                progress(0, result.created + result.updated + result.corrected)  # the writing pass starts
            plan.write(batch=batch, actor=actor, filename=filename, progress=progress)
            result = replace(result, batch_id=batch.pk)
            if kind != "employers" and (result.created or result.corrected):
                _refresh_balances_after_commit(kind=kind, batch=batch)
            counts = {
                "kind": kind,
                "filename": filename,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "skipped": result.skipped,
            }
            if kind == "declarations":
                counts["corrected"] = result.corrected
            audit.record(
                actor=actor, action="import.completed", obj=batch, after=counts, reason=result.summary
            )
    except IntegrityError:
        # Only a concurrent writer can get here: every constraint was checked above.
        raise ImportRejected(
            filename,
            [
                {
                    "row": None,
                    "column": "",
                    "value": "",
                    "reason": "otra operación guardó los mismos datos mientras se importaba; vuelva a intentarlo",
                }
            ],
        ) from None
    return result


def _refresh_balances_after_commit(*, kind: str, batch: ImportBatch) -> None:
    """New payments or declarations change balances: refresh those employers' snapshots."""
    from cobranza.ledger.models import Declaration, Payment
    from cobranza.ledger.tasks import schedule_balance_refresh

    model = Payment if kind == "payments" else Declaration
    employer_ids = list(
        model.objects.filter(import_batch=batch).values_list("employer_id", flat=True).distinct()
    )
    schedule_balance_refresh(employer_ids=employer_ids)
    if kind == "payments" and employer_ids:
        from cobranza.employers.signals import payments_imported

        transaction.on_commit(
            lambda: payments_imported.send(sender=ImportBatch, employer_ids=employer_ids, batch_id=batch.pk)
        )
